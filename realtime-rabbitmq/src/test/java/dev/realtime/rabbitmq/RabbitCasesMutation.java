package dev.realtime.rabbitmq;

import dev.realtime.testkit.CaseByCase;

/**
 * The suite on RabbitMQ, one test per case, for {@code scripts/mutation --target=rabbitmq}:
 * PIT mutates the subscription and settle code and runs these against each mutant.
 */
class RabbitCasesMutation extends CaseByCase {
  RabbitCasesMutation() {
    super(new RabbitConformanceTest());
  }
}
