package dev.realtime.config;

import java.time.Duration;
import java.util.List;

/**
 * The core settings, read by every broker adapter. Adapters declare their own options, such as
 * {@code realtime.kafka.bootstrap-servers}, next to their code.
 */
public final class RealtimeOptions {
  /**
   * {@code realtime.broker}: which broker adapter to use, {@code memory} by default. The adapter
   * must be on the classpath.
   */
  public static final ConfigOption<String> BROKER = ConfigOption.string("realtime.broker",
      "memory",
      "Which broker adapter to use: the name of a provider on the classpath (memory is built in).");

  /**
   * {@code realtime.max-payload-bytes}: the largest payload a publish accepts, 1 MiB by default.
   * Keep it at or below the broker's own limit, so oversize messages fail fast and locally.
   */
  public static final ConfigOption<Long> MAX_PAYLOAD_BYTES = ConfigOption.size(
      "realtime.max-payload-bytes", 1024L * 1024L,
      "Largest payload a publish accepts; larger ones fail before reaching the broker.");

  /** {@code realtime.publish-timeout}: how long a publish waits for the broker, 30s by default. */
  public static final ConfigOption<Duration> PUBLISH_TIMEOUT = ConfigOption.duration(
      "realtime.publish-timeout", Duration.ofSeconds(30),
      "How long a publish may wait for the broker's confirmation.");

  /**
   * {@code realtime.close-timeout}: the one bound on shutdown, 5s by default. {@code
   * Broker.close()} (and so {@code Realtime.close()}, the Guice module's shutdown hook and the
   * {@code realtime} command's stop) does all of its work within it: draining the running
   * handlers, the final acknowledgements and commits, closing the connections; also when the
   * broker cannot be reached. A message that is not acknowledged by then is not lost: it is
   * handed back to the broker, which delivers it again (to another member of the group, or the
   * next one). Raise it for handlers that need longer to finish: a handler still running near
   * the bound is interrupted.
   */
  public static final ConfigOption<Duration> CLOSE_TIMEOUT = ConfigOption.duration(
      "realtime.close-timeout", Duration.ofSeconds(5),
      "Bounds the whole close(): draining running handlers, final acknowledgements and "
          + "commits, closing connections. What is not acknowledged by then is handed back to "
          + "the broker and delivered again (to the group).");

  /**
   * {@code realtime.consumer-group}: the group a consumer joins when it names none, such as the
   * {@code realtime consume} command without {@code --group}; unset by default, which makes
   * such a consumer a broadcast subscriber. The seeds' {@code KAFKA_CONSUMER_GROUP} sets it too.
   * An application's own {@code SubscriptionSpec} always says what it means and ignores this.
   */
  public static final ConfigOption<String> CONSUMER_GROUP = ConfigOption.string(
      "realtime.consumer-group", null,
      "Group a consumer joins when it names none (the realtime consume command); unset means "
          + "broadcast.")
      .withEnvironmentAlias("KAFKA_CONSUMER_GROUP");

  /**
   * {@code realtime.tracing}: {@code none} (the default) or {@code opentelemetry}, which traces
   * every publish and handler run with the global OpenTelemetry (installed by the Java agent or
   * the application) and carries the trace context in message headers. It needs {@code
   * io.opentelemetry:opentelemetry-api} on the classpath. Code that holds its own {@code
   * OpenTelemetry} passes {@code OpenTelemetryTracing.create(openTelemetry)} instead.
   */
  public static final ConfigOption<String> TRACING = ConfigOption.choice("realtime.tracing",
      "none",
      "Trace publishes and handler runs: none, or opentelemetry (the global OpenTelemetry; "
          + "needs opentelemetry-api on the classpath). Trace context travels in message "
          + "headers.",
      "none", "opentelemetry");

  private static final List<ConfigOption<?>> ALL = List.of(BROKER, MAX_PAYLOAD_BYTES,
      PUBLISH_TIMEOUT, CLOSE_TIMEOUT, CONSUMER_GROUP, TRACING);

  private RealtimeOptions() {}

  /**
   * Every core option, for {@link RealtimeConfig#validate(java.util.Collection)}: add the
   * adapters' options before validating, or their keys are reported unknown.
   */
  public static List<ConfigOption<?>> all() {
    return ALL;
  }
}
