package dev.realtime.redis;

import dev.realtime.testkit.CaseByCase;

/**
 * The suite on Redis streams, one test per case, for {@code scripts/mutation --target=redis}:
 * PIT mutates the subscription and settle code and runs these against each mutant.
 */
class RedisCasesMutation extends CaseByCase {
  RedisCasesMutation() {
    super(new RedisConformanceTest());
  }
}
