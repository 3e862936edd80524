package dev.realtime.metrics;

import dev.realtime.channel.Channel;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Records realtime's measurements into a Micrometer {@link MeterRegistry}. Micrometer is an
 * optional dependency: this class is the only one that touches it.
 *
 * <p>Meters (tags in brackets): {@code realtime.published} counter [broker, outcome], {@code
 * realtime.publish.latency} timer [broker], {@code realtime.consumed} counter [broker, group],
 * {@code realtime.handler.failures} counter [broker, group, exception], {@code
 * realtime.dead.lettered} counter [broker, group], {@code realtime.end.to.end.latency} timer
 * [broker, group], {@code realtime.consumer.lag} gauge [broker, group, channel]. A broadcast
 * subscription has group {@code -}.
 */
public final class MicrometerMetrics implements RealtimeMetrics {
  private final MeterRegistry registry;
  // The meters of every publish and handled message, found once per broker (and group): a
  // builder registered per call built the tags and the id and looked them up in the registry
  // each time, twice per message, on the publishing thread and the handler's.
  private final Map<String, Counter> publishedOk = new ConcurrentHashMap<>();
  private final Map<String, Counter> publishedFailed = new ConcurrentHashMap<>();
  private final Map<String, Timer> publishLatency = new ConcurrentHashMap<>();
  private final Map<BrokerGroup, Counter> consumed = new ConcurrentHashMap<>();
  private final Map<BrokerGroup, Timer> endToEnd = new ConcurrentHashMap<>();

  /** A broker and a group tag, the key of the per-group meters. */
  private record BrokerGroup(String broker, String group) {}

  /** Records into {@code registry}. */
  public MicrometerMetrics(MeterRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry == null");
  }

  @Override
  public void published(String broker, Channel channel, long nanos, @Nullable Throwable failure) {
    Map<String, Counter> counters = failure == null ? publishedOk : publishedFailed;
    counters.computeIfAbsent(broker, name -> Counter.builder("realtime.published")
        .description("Messages published, by outcome")
        .tag("broker", name)
        .tag("outcome", failure == null ? "success" : "failure")
        .register(registry)).increment();
    if (failure == null) {
      publishLatency.computeIfAbsent(broker, name -> Timer.builder("realtime.publish.latency")
          .description("Time from publish to the broker's confirmation")
          .tag("broker", name)
          .register(registry)).record(nanos, TimeUnit.NANOSECONDS);
    }
  }

  @Override
  public void handled(String broker, @Nullable String group, Channel channel,
      long endToEndNanos) {
    BrokerGroup key = new BrokerGroup(broker, groupTag(group));
    consumed.computeIfAbsent(key, tags -> Counter.builder("realtime.consumed")
        .description("Messages handled successfully")
        .tag("broker", tags.broker())
        .tag("group", tags.group())
        .register(registry)).increment();
    endToEnd.computeIfAbsent(key, tags -> Timer.builder("realtime.end.to.end.latency")
        .description("Time from the message's timestamp to the end of its handling")
        .tag("broker", tags.broker())
        .tag("group", tags.group())
        .register(registry)).record(Math.max(0, endToEndNanos), TimeUnit.NANOSECONDS);
  }

  @Override
  public void handlerFailed(String broker, @Nullable String group, Channel channel,
      Throwable failure) {
    Counter.builder("realtime.handler.failures")
        .description("Handler attempts that threw")
        .tag("broker", broker)
        .tag("group", groupTag(group))
        .tag("exception", failure.getClass().getSimpleName())
        .register(registry)
        .increment();
  }

  @Override
  public void deadLettered(String broker, @Nullable String group, Channel channel) {
    Counter.builder("realtime.dead.lettered")
        .description("Messages that failed every attempt")
        .tag("broker", broker)
        .tag("group", groupTag(group))
        .register(registry)
        .increment();
  }

  @Override
  public AutoCloseable lag(String broker, @Nullable String group, Channel channel,
      LongSupplier lag) {
    Gauge gauge = Gauge.builder("realtime.consumer.lag", lag::getAsLong)
        .description("Messages not yet delivered to the group")
        .tag("broker", broker)
        .tag("group", groupTag(group))
        .tag("channel", channel.name())
        .register(registry);
    return () -> registry.remove(gauge);
  }

  private static String groupTag(@Nullable String group) {
    return group == null ? "-" : group;
  }
}
