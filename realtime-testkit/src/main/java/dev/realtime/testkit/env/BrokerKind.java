package dev.realtime.testkit.env;

/**
 * What differs between the proxied brokers: names for settings and messages, the URI form, and
 * how to ask the broker whether it answers.
 *
 * @param name for people, such as {@code Redis}
 * @param broker the value of {@code realtime.broker}
 * @param uriKey the setting that points the adapter at the broker
 * @param variable the environment variable that overrides {@code defaultUri}
 * @param defaultUri where the broker is when {@code variable} is not set
 * @param scheme the only URI scheme accepted
 * @param defaultPort the port when the URI gives none
 * @param form the URI's form, for error messages
 * @param probe the exchange that shows the broker answers
 */
record BrokerKind(String name, String broker, String uriKey, String variable, String defaultUri,
    String scheme, int defaultPort, String form, Probe probe) {

  static final BrokerKind REDIS = new BrokerKind("Redis", "redis", "realtime.redis.uri",
      "REALTIME_TEST_REDIS_URI", "redis://127.0.0.1:6379", "redis", 6379,
      "redis://[[user:]password@]host[:port][/database]", Probes::redisPing);

  static final BrokerKind RABBITMQ = new BrokerKind("RabbitMQ", "rabbitmq",
      "realtime.rabbitmq.uri", "REALTIME_TEST_RABBITMQ_URI", "amqp://guest:guest@127.0.0.1:5672/",
      "amqp", 5672, "amqp://[user:password@]host[:port]/[vhost]", Probes::amqpHeader);
}
