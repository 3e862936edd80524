package dev.realtime.testkit;

import dev.realtime.channel.Channel;

/**
 * Makes the broker refuse publishes to one channel, for case 37 (a failed dead-letter publish
 * loses nothing): the way a dead-letter channel fails in production, by the broker saying no (a
 * Redis key of the wrong type, a Kafka topic whose {@code max.message.bytes} is too small, a
 * RabbitMQ queue that rejects publishes when full). An environment offers one through {@link
 * BrokerEnvironment#publishRefusal()}, or an adapter's suite through {@link
 * ConformanceSuite#publishRefusal(BrokerEnvironment)} where the broker's own client is only on
 * the adapter's test classpath.
 */
@FunctionalInterface
public interface PublishRefusal {
  /**
   * Makes the broker refuse every publish to {@code channel}, which may not exist yet, from now
   * on; closing the returned handle lets publishes through again.
   *
   * @throws Exception if the broker could not be set up to refuse
   */
  AutoCloseable refuse(Channel channel) throws Exception;
}
