package dev.realtime.rabbitmq;

import dev.realtime.config.ConfigOption;
import java.time.Duration;
import java.util.List;

/** The settings of the RabbitMQ adapter, declared once; docs/rabbitmq.md lists them. */
final class RabbitOptions {
  static final ConfigOption<String> URI = ConfigOption.string(
      "realtime.rabbitmq.uri", "amqp://guest:guest@127.0.0.1:5672/",
      "RabbitMQ to connect to: amqp://[user:password@]host[:port][/vhost], or amqps:// for TLS.")
      .withEnvironmentAlias("RABBITMQ_URL");

  static final ConfigOption<String> ADDRESSES = ConfigOption.string(
      "realtime.rabbitmq.addresses", "",
      "Nodes of a cluster, host[:port][,host[:port]...]: each connection goes to one that "
          + "answers, and after a lost connection to another. The user, password, virtual host "
          + "and TLS still come from realtime.rabbitmq.uri. Empty: the URI's host and port.")
      .check(RabbitEndpoint::parseAddresses);

  static final ConfigOption<String> VIRTUAL_HOST = ConfigOption.string(
      "realtime.rabbitmq.virtual-host", "",
      "Virtual host; overrides the URI's. Empty: the URI's, or / when it names none.");

  static final ConfigOption<String> USERNAME = ConfigOption.string(
      "realtime.rabbitmq.username", "",
      "User to log in as; overrides the URI's. Empty: the URI's, or guest.");

  static final ConfigOption<String> PASSWORD = ConfigOption.string(
      "realtime.rabbitmq.password", "",
      "Password; overrides the URI's (masked in logs and errors).").secret();

  static final ConfigOption<Boolean> TLS = ConfigOption.bool(
      "realtime.rabbitmq.tls", false,
      "Connect with TLS even when the URI says amqp:// (amqps:// always does).");

  static final ConfigOption<Boolean> TLS_VERIFY_PEER = ConfigOption.bool(
      "realtime.rabbitmq.tls-verify-peer", true,
      "Check the server's TLS certificate and host name; turn off only for tests.");

  static final ConfigOption<String> NAME_PREFIX = ConfigOption.string(
      "realtime.rabbitmq.name-prefix", "realtime",
      "Prefix of exchange and queue names: with prefix realtime, channel user.1 is stream "
          + "queue realtime.user.1 on exchange realtime.")
      .check(RabbitBrokerProvider::naming);

  /** The name Kafka's adapter gives the same idea: copies of what a channel holds. */
  static final ConfigOption<Integer> REPLICATION_FACTOR = ConfigOption.integer(
      "realtime.rabbitmq.replication-factor", null,
      "Members of each group's quorum queue the adapter creates (x-quorum-initial-group-size). "
          + "Unset: RabbitMQ's default, a member on every node of the cluster. Streams get "
          + "RabbitMQ's default too (ChannelSpec.replicationFactor sets a stream's).")
      .range(1, null);

  static final ConfigOption<Duration> TIMEOUT = ConfigOption.duration(
      "realtime.rabbitmq.timeout", Duration.ofSeconds(10),
      "How long connecting, declarations and history reads wait for RabbitMQ.")
      .range(Duration.ofMillis(1), null);

  static final List<ConfigOption<?>> ALL = List.of(URI, ADDRESSES, VIRTUAL_HOST, USERNAME, PASSWORD, TLS,
      TLS_VERIFY_PEER, NAME_PREFIX, REPLICATION_FACTOR, TIMEOUT);

  private RabbitOptions() {}
}
