package dev.realtime.testkit;

import dev.realtime.testkit.env.Environments;
import org.junit.jupiter.api.Test;

/**
 * The conformance suite on the in-memory broker, one test per case, for mutation testing
 * ({@code scripts/mutation}): PIT runs a mutant against the cases that reach the mutated code,
 * one at a time, and stops at the first that fails, where {@link MemoryConformanceTest}'s one
 * test factory would run every case for every mutant. Not a {@code *Test}: the build runs
 * the suite once, through MemoryConformanceTest. Cases that need a hook the in-memory broker
 * lacks, and 28 (the others in parallel), are not here.
 */
class MemoryCasesMutation {
  @Test
  void case01() throws Exception {
    ConformanceSuite.runOne(Environments.memory(), 1);
  }

  @Test
  void case02() throws Exception {
    ConformanceSuite.runOne(Environments.memory(), 2);
  }

  @Test
  void case03() throws Exception {
    ConformanceSuite.runOne(Environments.memory(), 3);
  }

  @Test
  void case04() throws Exception {
    ConformanceSuite.runOne(Environments.memory(), 4);
  }

  @Test
  void case05() throws Exception {
    ConformanceSuite.runOne(Environments.memory(), 5);
  }

  @Test
  void case06() throws Exception {
    ConformanceSuite.runOne(Environments.memory(), 6);
  }

  @Test
  void case07() throws Exception {
    ConformanceSuite.runOne(Environments.memory(), 7);
  }

  @Test
  void case08() throws Exception {
    ConformanceSuite.runOne(Environments.memory(), 8);
  }

  @Test
  void case09() throws Exception {
    ConformanceSuite.runOne(Environments.memory(), 9);
  }

  @Test
  void case10() throws Exception {
    ConformanceSuite.runOne(Environments.memory(), 10);
  }

  @Test
  void case11() throws Exception {
    ConformanceSuite.runOne(Environments.memory(), 11);
  }

  @Test
  void case12() throws Exception {
    ConformanceSuite.runOne(Environments.memory(), 12);
  }

  @Test
  void case13() throws Exception {
    ConformanceSuite.runOne(Environments.memory(), 13);
  }

  @Test
  void case14() throws Exception {
    ConformanceSuite.runOne(Environments.memory(), 14);
  }

  @Test
  void case15() throws Exception {
    ConformanceSuite.runOne(Environments.memory(), 15);
  }

  @Test
  void case16() throws Exception {
    ConformanceSuite.runOne(Environments.memory(), 16);
  }

  @Test
  void case17() throws Exception {
    ConformanceSuite.runOne(Environments.memory(), 17);
  }

  @Test
  void case18() throws Exception {
    ConformanceSuite.runOne(Environments.memory(), 18);
  }

  @Test
  void case19() throws Exception {
    ConformanceSuite.runOne(Environments.memory(), 19);
  }

  @Test
  void case20() throws Exception {
    ConformanceSuite.runOne(Environments.memory(), 20);
  }

  @Test
  void case22() throws Exception {
    ConformanceSuite.runOne(Environments.memory(), 22);
  }

  @Test
  void case24() throws Exception {
    ConformanceSuite.runOne(Environments.memory(), 24);
  }

  @Test
  void case25() throws Exception {
    ConformanceSuite.runOne(Environments.memory(), 25);
  }

  @Test
  void case26() throws Exception {
    ConformanceSuite.runOne(Environments.memory(), 26);
  }

  @Test
  void case27() throws Exception {
    ConformanceSuite.runOne(Environments.memory(), 27);
  }

  @Test
  void case29() throws Exception {
    ConformanceSuite.runOne(Environments.memory(), 29);
  }

  @Test
  void case30() throws Exception {
    ConformanceSuite.runOne(Environments.memory(), 30);
  }

  @Test
  void case31() throws Exception {
    ConformanceSuite.runOne(Environments.memory(), 31);
  }

  @Test
  void case36() throws Exception {
    ConformanceSuite.runOne(Environments.memory(), 36);
  }

  @Test
  void case39() throws Exception {
    ConformanceSuite.runOne(Environments.memory(), 39);
  }

  @Test
  void case40() throws Exception {
    ConformanceSuite.runOne(Environments.memory(), 40);
  }

  @Test
  void case41() throws Exception {
    ConformanceSuite.runOne(Environments.memory(), 41);
  }

  @Test
  void case42() throws Exception {
    ConformanceSuite.runOne(Environments.memory(), 42);
  }

  @Test
  void case43() throws Exception {
    ConformanceSuite.runOne(Environments.memory(), 43);
  }

  @Test
  void case44() throws Exception {
    ConformanceSuite.runOne(Environments.memory(), 44);
  }

  @Test
  void case45() throws Exception {
    ConformanceSuite.runOne(Environments.memory(), 45);
  }

  @Test
  void case46() throws Exception {
    ConformanceSuite.runOne(Environments.memory(), 46);
  }
}
