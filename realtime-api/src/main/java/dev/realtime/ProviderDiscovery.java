package dev.realtime;

import dev.realtime.config.ConfigOption;
import dev.realtime.config.ConfigurationException;
import dev.realtime.spi.BrokerProvider;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * One look at the classpath's broker providers, tolerant as SLF4J 2's: a provider that cannot be
 * loaded (its class is missing, its constructor throws, its name or options cannot be read) is recorded,
 * not thrown, so it breaks only an application that asks for it. {@link #require} reports it,
 * with its cause, when the requested provider is missing.
 */
final class ProviderDiscovery {
  static final String SERVICE_FILE = "META-INF/services/" + BrokerProvider.class.getName();

  private final Map<String, BrokerProvider> byName = new TreeMap<>();
  /** Names that two provider classes claim, with both classes: ambiguous only when asked for. */
  private final Map<String, String> duplicates = new LinkedHashMap<>();
  private final List<String> failures = new ArrayList<>();
  private final List<ConfigOption<?>> options = new ArrayList<>();

  private ProviderDiscovery() {}

  static ProviderDiscovery load() {
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    if (loader == null) {
      loader = Brokers.class.getClassLoader();
    }
    ProviderDiscovery discovery = new ProviderDiscovery();
    Iterator<BrokerProvider> it = ServiceLoader.load(BrokerProvider.class, loader).iterator();
    while (true) {
      BrokerProvider provider;
      String name;
      List<ConfigOption<?>> options;
      try {
        if (!it.hasNext()) {
          break;
        }
        provider = it.next();
        name = provider.name();
        options = List.copyOf(provider.options());
      } catch (ServiceConfigurationError | RuntimeException | LinkageError e) {
        // ServiceLoader's iterator moves past a broken entry, so the loop goes on to the next.
        discovery.failures.add(describe(e));
        continue;
      }
      discovery.add(name, provider);
      discovery.options.addAll(options);
    }
    return discovery;
  }

  private void add(String name, BrokerProvider provider) {
    BrokerProvider previous = byName.putIfAbsent(name, provider);
    if (previous != null && previous.getClass() != provider.getClass()) {
      duplicates.put(name, previous.getClass().getName() + " and "
          + provider.getClass().getName());
    }
  }

  /** Every option that the providers that loaded declare. */
  List<ConfigOption<?>> options() {
    return options;
  }

  /** The providers that loaded, by name; ambiguous names included with the first found. */
  Map<String, BrokerProvider> providers() {
    return byName;
  }

  /**
   * Returns the provider named {@code name}.
   *
   * @param asked how the name was asked for, such as {@code realtime.broker is "kafka" (from
   *     code)}, which starts the message
   * @throws ConfigurationException if no provider of that name loaded, listing the providers
   *     found and every one that failed with its cause; or if two provider classes claim it
   */
  BrokerProvider require(String name, String asked) {
    String ambiguous = duplicates.get(name);
    if (ambiguous != null) {
      throw new ConfigurationException("Two broker providers are named \"" + name + "\": "
          + ambiguous + ". Remove one of them from the classpath.");
    }
    BrokerProvider provider = byName.get(name);
    if (provider != null) {
      return provider;
    }
    String found = byName.isEmpty() ? "none" : String.join(", ", byName.keySet());
    StringBuilder message = new StringBuilder(asked)
        .append(", but no broker provider of that name is on the classpath. Found: ")
        .append(found).append('.');
    if (!failures.isEmpty()) {
      message.append(" Failed to load, and so perhaps the one asked for: ")
          .append(String.join("; ", failures))
          .append(". Check that the adapter's jar and its dependencies are complete and of the "
              + "same realtime version.");
    }
    message.append(" This project's adapters come as the artifact dev.realtime:realtime-")
        .append(name).append("; a custom provider registers itself with one line in ")
        .append(SERVICE_FILE).append('.');
    throw new ConfigurationException(message.toString());
  }

  /** The failure and its chain of causes, each as type and message. */
  private static String describe(Throwable failure) {
    List<String> chain = new ArrayList<>();
    for (Throwable t = failure; t != null && chain.size() < 5; t = t.getCause()) {
      chain.add(t instanceof ServiceConfigurationError
          ? t.getMessage()
          : t.getClass().getName() + (t.getMessage() == null ? "" : ": " + t.getMessage()));
      if (t.getCause() == t) {
        break;
      }
    }
    return chain.stream().collect(Collectors.joining(", caused by "));
  }
}
