package dev.realtime.redis;

import dev.realtime.testkit.CaseByCase;

/**
 * The suite on Redis Pub/Sub, one test per case, for {@code scripts/mutation --target=redis}:
 * the Pub/Sub subscription's mutants are reached only in this mode.
 */
class RedisPubSubCasesMutation extends CaseByCase {
  RedisPubSubCasesMutation() {
    super(new RedisPubSubConformanceTest());
  }
}
