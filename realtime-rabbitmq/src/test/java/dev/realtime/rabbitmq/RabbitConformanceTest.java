package dev.realtime.rabbitmq;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.realtime.testkit.BrokerEnvironment;
import dev.realtime.testkit.ConformanceSuite;
import dev.realtime.testkit.PublishRefusal;
import dev.realtime.testkit.env.Environments;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The RabbitMQ adapter against the machine's RabbitMQ (or REALTIME_TEST_RABBITMQ_URI); it
 * supplies case 37's refusal on amqp-client, which the testkit does not carry.
 */
class RabbitConformanceTest extends ConformanceSuite {
  @Override
  protected BrokerEnvironment environment() {
    return Environments.rabbitmq();
  }

  /**
   * A queue that takes nothing ({@code x-max-length=0}, {@code x-overflow=reject-publish}),
   * bound to the channel's routing key: the broker nacks every publish to the channel, as it
   * does when a queue it routes to is full. Deleting the queue lets publishes through.
   */
  @Override
  protected Optional<PublishRefusal> publishRefusal(BrokerEnvironment environment) {
    String uri = environment.config().get(RabbitOptions.URI);
    String prefix = environment.config().get(RabbitOptions.NAME_PREFIX);
    String exchange = prefix.isEmpty() ? "realtime" : prefix; // As Topology names it.
    return Optional.of(channel -> {
      ConnectionFactory factory = new ConnectionFactory();
      factory.setUri(uri);
      if (factory.getVirtualHost().isEmpty()) {
        factory.setVirtualHost("/"); // "amqp://host/" names none: the adapter's default.
      }
      Connection connection = factory.newConnection("realtime-conformance-refusal");
      String queue = "conformance-refusal-" + UUID.randomUUID();
      try (com.rabbitmq.client.Channel amqp = connection.createChannel()) {
        amqp.queueDeclare(queue, false, false, false,
            Map.of("x-max-length", 0, "x-overflow", "reject-publish"));
        amqp.queueBind(queue, exchange, channel.name()); // The adapter declared it.
      } catch (Exception e) {
        connection.close();
        throw e;
      }
      return () -> {
        if (!connection.isOpen()) {
          return; // Lifted already.
        }
        try (com.rabbitmq.client.Channel amqp = connection.createChannel()) {
          amqp.queueDelete(queue);
        } finally {
          connection.close();
        }
      };
    });
  }
}
