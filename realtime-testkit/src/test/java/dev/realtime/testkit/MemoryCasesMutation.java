package dev.realtime.testkit;

/**
 * The conformance suite on the in-memory broker, one test per case, for {@code scripts/mutation}'s
 * run over the delivery core. Cases that need a hook the in-memory broker lacks pass at once.
 */
class MemoryCasesMutation extends CaseByCase {
  MemoryCasesMutation() {
    super(new MemoryConformanceTest());
  }
}
