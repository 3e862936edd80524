package dev.realtime.kafka;

import dev.realtime.testkit.CaseByCase;

/**
 * The suite on Kafka, one test per case, for {@code scripts/mutation --target=kafka}: PIT
 * mutates the subscription and offset tracking and runs these against each mutant.
 */
class KafkaCasesMutation extends CaseByCase {
  KafkaCasesMutation() {
    super(new KafkaConformanceTest());
  }
}
