package dev.realtime.rabbitmq;

import dev.realtime.Broker;
import dev.realtime.testkit.BrokerEnvironment;
import dev.realtime.testkit.env.Environments;
import org.junit.jupiter.api.Tag;

/**
 * The RabbitMQ adapter against a three-node cluster (issue 16), every node in
 * realtime.rabbitmq.addresses; case 37's refusal as on one node. Its restart and outage cases
 * take the whole cluster down; killing one node is {@link RabbitNodeFailureTest}'s.
 */
@Tag("cluster-rabbitmq") // scripts/test runs one cluster suite per commit, in turn
class RabbitClusterConformanceTest extends RabbitConformanceTest {
  @Override
  protected BrokerEnvironment environment() {
    return Environments.rabbitmqCluster();
  }

  @Override
  protected String reportName(Broker broker) {
    return "rabbitmq (3-node cluster)";
  }
}
