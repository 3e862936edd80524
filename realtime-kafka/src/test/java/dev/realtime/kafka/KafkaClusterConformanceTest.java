package dev.realtime.kafka;

import dev.realtime.Broker;
import dev.realtime.testkit.BrokerEnvironment;
import dev.realtime.testkit.ConformanceSuite;
import dev.realtime.testkit.env.Environments;
import org.junit.jupiter.api.Tag;

/**
 * The Kafka adapter against a three-node KRaft cluster (issue 16): topics with three replicas,
 * two in sync, set by the adapter's own settings. Its restart and outage cases take the whole
 * cluster down; killing one node is {@link KafkaNodeFailureTest}'s.
 */
@Tag("cluster-kafka") // scripts/test runs one cluster suite per commit, in turn
class KafkaClusterConformanceTest extends ConformanceSuite {
  @Override
  protected BrokerEnvironment environment() {
    return Environments.kafkaCluster();
  }

  @Override
  protected String reportName(Broker broker) {
    return "kafka (3-node cluster)";
  }
}
