package dev.realtime;

import dev.realtime.config.ConfigOption;
import dev.realtime.config.ConfigurationException;
import dev.realtime.config.RealtimeConfig;
import dev.realtime.config.RealtimeOptions;
import dev.realtime.internal.GuardedBroker;
import dev.realtime.metrics.RealtimeMetrics;
import dev.realtime.spi.BrokerContext;
import dev.realtime.spi.BrokerProvider;
import dev.realtime.tracing.OpenTelemetryTracing;
import dev.realtime.tracing.RealtimeTracing;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;

/**
 * Opens brokers: finds the {@link BrokerProvider} named by {@code realtime.broker} with {@link
 * ServiceLoader} and asks it for a {@link Broker}.
 *
 * <pre>{@code
 * try (Broker broker = Brokers.open(RealtimeConfig.load())) { ... }
 * }</pre>
 *
 * <p>Discovery is tolerant, as SLF4J 2's: a provider that fails to load (a {@link
 * java.util.ServiceConfigurationError}, a constructor that throws) breaks only an application
 * that asks for it. When the provider asked for is missing, the error lists the providers found,
 * every one that failed to load with its cause, and the artifact to add. An unknown {@code
 * realtime.*} setting is reported with the nearest known one.
 */
public final class Brokers {
  private Brokers() {}

  /** Opens the broker that the standard configuration sources name. */
  public static Broker open() {
    return open(RealtimeConfig.load());
  }

  /**
   * Opens the broker that {@code config} names, with no metrics.
   *
   * @throws ConfigurationException if no provider of that name loads (the message lists those
   *     that failed to load, with their causes), or a setting is unknown or invalid
   * @throws BrokerUnavailableException if the broker cannot be reached
   */
  public static Broker open(RealtimeConfig config) {
    return open(config, RealtimeMetrics.NOOP);
  }

  /**
   * Opens the broker that {@code config} names, recording into {@code metrics}, and tracing as
   * {@code realtime.tracing} says (with no tracing by default).
   *
   * @throws ConfigurationException as {@link #open(RealtimeConfig)}, or when {@code
   *     realtime.tracing} asks for OpenTelemetry and {@code opentelemetry-api} is missing
   * @throws BrokerUnavailableException if the broker cannot be reached
   */
  public static Broker open(RealtimeConfig config, RealtimeMetrics metrics) {
    Objects.requireNonNull(config, "config == null");
    return open(config, metrics, tracing(config));
  }

  /**
   * Opens the broker that {@code config} names, recording into {@code metrics} and tracing with
   * {@code tracing}, such as {@code OpenTelemetryTracing.create(openTelemetry)}, whatever {@code
   * realtime.tracing} says.
   *
   * @throws ConfigurationException as {@link #open(RealtimeConfig)}
   * @throws BrokerUnavailableException if the broker cannot be reached
   */
  public static Broker open(RealtimeConfig config, RealtimeMetrics metrics,
      RealtimeTracing tracing) {
    Objects.requireNonNull(config, "config == null");
    Objects.requireNonNull(metrics, "metrics == null");
    Objects.requireNonNull(tracing, "tracing == null");
    ProviderDiscovery discovery = ProviderDiscovery.load();
    String name = config.get(RealtimeOptions.BROKER).trim().toLowerCase(Locale.ROOT);
    // Before validating: with the requested adapter missing, its own keys would read as unknown.
    BrokerProvider provider = discovery.require(name, "realtime.broker is \"" + name
        + "\" (from " + config.sourceOf(RealtimeOptions.BROKER) + ")");
    config.validate(known(discovery));

    BrokerContext context = new BrokerContext(config, metrics);
    GuardedBroker guarded = new GuardedBroker(provider.create(context),
        config.get(RealtimeOptions.MAX_PAYLOAD_BYTES), metrics, tracing);
    context.publishThrough(guarded); // Dead letters pass the same checks, metrics and tracing.
    return guarded;
  }

  /**
   * Every option known here: the core's ({@link RealtimeOptions#all()}) and those of every
   * provider on the classpath that loads. The keys {@link #open} accepts; a tool that checks
   * settings, lists them or completes them (the CLI's {@code doctor}, the Spring Boot starter's
   * metadata) reads the same list.
   */
  public static List<ConfigOption<?>> options() {
    return known(ProviderDiscovery.load());
  }

  private static List<ConfigOption<?>> known(ProviderDiscovery discovery) {
    List<ConfigOption<?>> known = new ArrayList<>(RealtimeOptions.all());
    known.addAll(discovery.options());
    return List.copyOf(known);
  }

  /**
   * The tracing {@code realtime.tracing} asks for. OpenTelemetry is an optional dependency, so
   * its absence is checked here, by name, before a class that links to it is loaded: the
   * application learns which artifact to add instead of meeting a NoClassDefFoundError on its
   * first publish.
   */
  static RealtimeTracing tracing(RealtimeConfig config) {
    if (!"opentelemetry".equals(config.get(RealtimeOptions.TRACING))) {
      return RealtimeTracing.NOOP;
    }
    try {
      Class.forName("io.opentelemetry.api.GlobalOpenTelemetry", false,
          Brokers.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      throw new ConfigurationException("realtime.tracing is opentelemetry (from "
          + config.sourceOf(RealtimeOptions.TRACING) + "), but io.opentelemetry:"
          + "opentelemetry-api is not on the classpath: add it (and an OpenTelemetry SDK or "
          + "the Java agent, which install the global OpenTelemetry), or set "
          + "realtime.tracing=none.", e);
    }
    return OpenTelemetryTracing.global();
  }

  /**
   * Returns the providers on the classpath that load, by name. One that fails to load (its class
   * or a dependency is missing, its constructor throws) is left out here, and named with its
   * cause by {@link #provider(String)} and {@link #open} when the provider asked for is missing.
   */
  public static Map<String, BrokerProvider> providers() {
    return Map.copyOf(ProviderDiscovery.load().providers());
  }

  /**
   * Returns the provider named {@code name}, such as {@code kafka}.
   *
   * @throws ConfigurationException if none of that name loads, listing the providers found and
   *     those that failed to load with their causes; or if two provider classes claim the name
   */
  public static BrokerProvider provider(String name) {
    Objects.requireNonNull(name, "name == null");
    String normalised = name.trim().toLowerCase(Locale.ROOT);
    return ProviderDiscovery.load()
        .require(normalised, "Broker \"" + normalised + "\" was asked for");
  }
}
