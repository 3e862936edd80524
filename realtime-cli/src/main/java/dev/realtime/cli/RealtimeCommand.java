package dev.realtime.cli;

import dev.realtime.config.ConfigurationException;
import dev.realtime.config.RealtimeConfig;
import dev.realtime.config.RealtimeOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * {@code realtime}: the command and the options every subcommand shares. The shared options are
 * inherited, so they may be given before or after the subcommand's name; they are the highest
 * source of settings, above system properties, the environment and the properties file.
 */
@Command(name = "realtime",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    usageHelpAutoWidth = true,
    description = {
        "Publish, consume and replay realtime messages over Kafka, Redis, RabbitMQ or the "
            + "in-memory broker, and manage their channels.",
        "",
        "The broker comes from --broker, else realtime.broker (REALTIME_BROKER), else memory. "
            + "Settings are read from, lowest first: defaults, --config FILE (else "
            + "realtime.properties on the classpath), environment variables (REALTIME_*, and "
            + "the seed's KAFKA_BROKERS, REDIS_URL, RABBITMQ_URL, KAFKA_CONSUMER_GROUP), "
            + "JAVA_OPTS -Drealtime.*, then --set and --broker."},
    subcommands = {
        ConsumeCommand.class,
        PublishCommand.class,
        HistoryCommand.class,
        ChannelsCommand.class,
        DoctorCommand.class,
        DemoCommand.class,
        BenchCommand.class,
        BrokerCommand.class,
        GatewayCommand.class},
    footer = {"",
        "Exit codes: 0 done (also after Ctrl-C or SIGTERM once everything in flight was "
            + "finished), 1 broker or configuration failure, 2 usage error, 130 stopped by a "
            + "second Ctrl-C.",
        "See docs/cli.md for a session with every command."})
final class RealtimeCommand {
  @Option(names = "--broker", scope = ScopeType.INHERIT, paramLabel = "NAME",
      description = "Broker adapter: memory, kafka, redis or rabbitmq (sets realtime.broker).")
  private String broker;

  @Option(names = "--config", scope = ScopeType.INHERIT, paramLabel = "FILE",
      description = "Properties file of realtime.* settings, read instead of the classpath's "
          + "realtime.properties.")
  private Path configFile;

  @Option(names = "--set", scope = ScopeType.INHERIT, paramLabel = "KEY=VALUE",
      description = "A setting, above every other source; repeatable "
          + "(--set realtime.kafka.bootstrap-servers=host:9092).")
  private Map<String, String> settings = new LinkedHashMap<>();

  @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT,
      description = "Print stack traces with errors and log lines, and the libraries' info "
          + "logs.")
  private boolean verbose;

  boolean verbose() {
    return verbose;
  }

  /**
   * The settings, from every source, with this command's options on top.
   *
   * @throws ConfigurationException if --config names no readable file, or a source is broken
   */
  RealtimeConfig config() {
    if (verbose) {
      Logging.verbose();
    }
    RealtimeConfig.Builder builder = RealtimeConfig.builder();
    if (configFile != null) {
      if (!Files.isReadable(configFile)) {
        throw new ConfigurationException("--config " + configFile + " is not a readable file. "
            + "Give the path of a properties file of realtime.* settings.");
      }
      builder.propertiesFile(configFile);
    }
    settings.forEach((key, value) -> builder.set(key, value, "--set " + key));
    if (broker != null) {
      builder.set(RealtimeOptions.BROKER.name(), broker, "--broker");
    }
    return builder.build();
  }
}
