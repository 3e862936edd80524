package dev.realtime;

import dev.realtime.config.ConfigOption;
import dev.realtime.config.ConfigurationException;
import dev.realtime.config.RealtimeConfig;
import dev.realtime.config.RealtimeOptions;
import dev.realtime.internal.GuardedBroker;
import dev.realtime.metrics.RealtimeMetrics;
import dev.realtime.spi.BrokerContext;
import dev.realtime.spi.BrokerProvider;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/**
 * Opens brokers: finds the {@link BrokerProvider} named by {@code realtime.broker} with {@link
 * ServiceLoader} and asks it for a {@link Broker}.
 *
 * <pre>{@code
 * try (Broker broker = Brokers.open(RealtimeConfig.load())) { ... }
 * }</pre>
 *
 * <p>Every error here says what was found and what to do: an unknown adapter name lists the
 * providers on the classpath and the artifact to add; a provider that fails to load is named with
 * its cause; an unknown {@code realtime.*} setting is reported with the nearest known one.
 */
public final class Brokers {
  /** The adapters this project ships, and the artifact that brings each. */
  private static final Map<String, String> KNOWN_ARTIFACTS = Map.of(
      "memory", "dev.realtime:realtime-api",
      "kafka", "dev.realtime:realtime-kafka",
      "redis", "dev.realtime:realtime-redis",
      "rabbitmq", "dev.realtime:realtime-rabbitmq");

  private static final String SERVICE_FILE =
      "META-INF/services/" + BrokerProvider.class.getName();

  private Brokers() {}

  /** Opens the broker that the standard configuration sources name. */
  public static Broker open() {
    return open(RealtimeConfig.load());
  }

  /**
   * Opens the broker that {@code config} names, with no metrics.
   *
   * @throws ConfigurationException if no provider has that name, a provider fails to load, a
   *     setting is unknown or invalid
   * @throws BrokerUnavailableException if the broker cannot be reached
   */
  public static Broker open(RealtimeConfig config) {
    return open(config, RealtimeMetrics.NOOP);
  }

  /**
   * Opens the broker that {@code config} names, recording into {@code metrics}.
   *
   * @throws ConfigurationException as {@link #open(RealtimeConfig)}
   * @throws BrokerUnavailableException if the broker cannot be reached
   */
  public static Broker open(RealtimeConfig config, RealtimeMetrics metrics) {
    Objects.requireNonNull(config, "config == null");
    Objects.requireNonNull(metrics, "metrics == null");
    Map<String, BrokerProvider> providers = load();
    List<ConfigOption<?>> known = new ArrayList<>(RealtimeOptions.all());
    providers.values().forEach(provider -> known.addAll(provider.options()));
    config.validate(known);

    String name = config.get(RealtimeOptions.BROKER).trim().toLowerCase(Locale.ROOT);
    BrokerProvider provider = providers.get(name);
    if (provider == null) {
      throw new ConfigurationException(missingProvider(name, config, providers));
    }
    BrokerContext context = new BrokerContext(config, metrics);
    GuardedBroker guarded = new GuardedBroker(provider.create(context),
        config.get(RealtimeOptions.MAX_PAYLOAD_BYTES), metrics);
    context.publishThrough(guarded); // Dead letters pass the same checks and metrics.
    return guarded;
  }

  /**
   * Returns the providers on the classpath by name.
   *
   * @throws ConfigurationException if one fails to load, or two share a name
   */
  public static Map<String, BrokerProvider> providers() {
    return Map.copyOf(load());
  }

  private static Map<String, BrokerProvider> load() {
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    if (loader == null) {
      loader = Brokers.class.getClassLoader();
    }
    Map<String, BrokerProvider> byName = new LinkedHashMap<>();
    List<String> failures = new ArrayList<>();
    Iterator<BrokerProvider> it = ServiceLoader.load(BrokerProvider.class, loader).iterator();
    while (true) {
      BrokerProvider provider;
      try {
        if (!it.hasNext()) {
          break;
        }
        provider = it.next();
      } catch (ServiceConfigurationError e) {
        failures.add(e.getMessage()
            + (e.getCause() != null ? " (cause: " + e.getCause() + ")" : ""));
        continue;
      }
      BrokerProvider previous = byName.putIfAbsent(provider.name(), provider);
      if (previous != null && previous.getClass() != provider.getClass()) {
        throw new ConfigurationException("Two broker providers are named \"" + provider.name()
            + "\": " + previous.getClass().getName() + " and " + provider.getClass().getName()
            + ". Remove one of them from the classpath.");
      }
    }
    if (!failures.isEmpty()) {
      throw new ConfigurationException("A broker provider listed in " + SERVICE_FILE
          + " could not be loaded: " + String.join("; ", failures)
          + ". Check that the adapter's jar and its dependencies are complete and of the same "
          + "realtime version.");
    }
    return byName;
  }

  private static String missingProvider(String name, RealtimeConfig config,
      Map<String, BrokerProvider> providers) {
    String found = providers.isEmpty()
        ? "none"
        : providers.keySet().stream().sorted().collect(Collectors.joining(", "));
    String message = "realtime.broker is \"" + name + "\" (from "
        + config.sourceOf(RealtimeOptions.BROKER) + "), but no broker provider of that "
        + "name is on the classpath. Found: " + found + ". ";
    String artifact = KNOWN_ARTIFACTS.get(name);
    if (artifact != null) {
      return message + "Add the dependency " + artifact + " to your application.";
    }
    return message + "Known adapters: " + KNOWN_ARTIFACTS.keySet().stream().sorted()
        .map(known -> known + " (" + KNOWN_ARTIFACTS.get(known) + ")")
        .collect(Collectors.joining(", "))
        + ". A custom provider registers itself with one line in " + SERVICE_FILE + ".";
  }
}
