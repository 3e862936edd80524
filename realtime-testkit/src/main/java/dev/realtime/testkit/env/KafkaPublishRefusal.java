package dev.realtime.testkit.env;

import dev.realtime.channel.Channel;
import dev.realtime.channel.ChannelNaming;
import dev.realtime.testkit.PublishRefusal;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Makes Kafka refuse records to a channel's topic by giving the topic a {@code
 * max.message.bytes} smaller than any record batch: the producer's send fails with {@code
 * RecordTooLargeException}, as it does for a topic configured too small. Removing the setting
 * lets records through again.
 */
final class KafkaPublishRefusal implements PublishRefusal {
  private static final String LIMIT = "max.message.bytes";

  private final String bootstrapServers;
  private final ChannelNaming naming;

  KafkaPublishRefusal(String bootstrapServers, ChannelNaming naming) {
    this.bootstrapServers = bootstrapServers;
    this.naming = naming;
  }

  @Override
  public AutoCloseable refuse(Channel channel) throws Exception {
    String topic = naming.backendName(channel);
    try (Admin admin = admin()) {
      try {
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1)
            .configs(Map.of(LIMIT, "16")))).all().get(30, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw e;
        }
        alter(admin, topic, new AlterConfigOp(new ConfigEntry(LIMIT, "16"),
            AlterConfigOp.OpType.SET));
      }
    }
    return () -> {
      try (Admin admin = admin()) {
        alter(admin, topic, new AlterConfigOp(new ConfigEntry(LIMIT, ""),
            AlterConfigOp.OpType.DELETE));
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
          throw e; // Deleted already: nothing to lift.
        }
      }
    };
  }

  private Admin admin() {
    return Admin.create(Map.of("bootstrap.servers", bootstrapServers,
        "client.id", "realtime-testkit-refusal"));
  }

  private static void alter(Admin admin, String topic, AlterConfigOp op) throws Exception {
    admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, topic),
        List.of(op))).all().get(30, TimeUnit.SECONDS);
  }
}
