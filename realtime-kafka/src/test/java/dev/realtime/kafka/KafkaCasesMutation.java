package dev.realtime.kafka;

import dev.realtime.testkit.CaseByCase;

/** The suite on Kafka, one test per case, for {@code scripts/mutation --target=kafka}. */
class KafkaCasesMutation extends CaseByCase {
  KafkaCasesMutation() {
    super(new KafkaConformanceTest());
  }
}
