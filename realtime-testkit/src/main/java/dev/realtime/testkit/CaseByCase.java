package dev.realtime.testkit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A {@link ConformanceSuite} run one test per case, for mutation testing ({@code
 * scripts/mutation}): PIT runs a mutant against the tests that reach the mutated code, one at a
 * time, and stops at the first that fails, where the suite's one test factory would run every
 * case for every mutant. Each test runs its case as the suite does, with the suite's environment
 * and hooks; a case the adapter or the environment cannot run passes at once.
 *
 * <pre>{@code
 * class RedisCasesMutation extends CaseByCase {
 *   RedisCasesMutation() { super(new RedisConformanceTest()); }
 * }
 * }</pre>
 *
 * <p>Name it without the {@code Test} suffix: the build runs the suite once, through the
 * suite itself. Case 28 (the others in parallel) is not here: its copies are the other tests.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class CaseByCase {
  private final ConformanceSuite suite;

  /** Runs the cases of {@code suite}, in its environment, with its hooks. */
  protected CaseByCase(ConformanceSuite suite) {
    this.suite = suite;
  }

  /**
   * Returns true if case {@code number} runs here; every case by default. A run over an
   * adapter's slow broker may keep to the cases that reach the code it mutates.
   */
  protected boolean runs(int number) {
    return true;
  }

  @BeforeAll
  final void open() {
    suite.openEnvironment();
  }

  @AfterAll
  final void close() {
    suite.closeEnvironment();
  }

  private void run(int number) throws Exception {
    if (runs(number)) {
      suite.runOne(number);
    }
  }

  @Test
  final void case01() throws Exception {
    run(1);
  }

  @Test
  final void case02() throws Exception {
    run(2);
  }

  @Test
  final void case03() throws Exception {
    run(3);
  }

  @Test
  final void case04() throws Exception {
    run(4);
  }

  @Test
  final void case05() throws Exception {
    run(5);
  }

  @Test
  final void case06() throws Exception {
    run(6);
  }

  @Test
  final void case07() throws Exception {
    run(7);
  }

  @Test
  final void case08() throws Exception {
    run(8);
  }

  @Test
  final void case09() throws Exception {
    run(9);
  }

  @Test
  final void case10() throws Exception {
    run(10);
  }

  @Test
  final void case11() throws Exception {
    run(11);
  }

  @Test
  final void case12() throws Exception {
    run(12);
  }

  @Test
  final void case13() throws Exception {
    run(13);
  }

  @Test
  final void case14() throws Exception {
    run(14);
  }

  @Test
  final void case15() throws Exception {
    run(15);
  }

  @Test
  final void case16() throws Exception {
    run(16);
  }

  @Test
  final void case17() throws Exception {
    run(17);
  }

  @Test
  final void case18() throws Exception {
    run(18);
  }

  @Test
  final void case19() throws Exception {
    run(19);
  }

  @Test
  final void case20() throws Exception {
    run(20);
  }

  @Test
  final void case21() throws Exception {
    run(21);
  }

  @Test
  final void case22() throws Exception {
    run(22);
  }

  @Test
  final void case23() throws Exception {
    run(23);
  }

  @Test
  final void case24() throws Exception {
    run(24);
  }

  @Test
  final void case25() throws Exception {
    run(25);
  }

  @Test
  final void case26() throws Exception {
    run(26);
  }

  @Test
  final void case27() throws Exception {
    run(27);
  }

  @Test
  final void case29() throws Exception {
    run(29);
  }

  @Test
  final void case30() throws Exception {
    run(30);
  }

  @Test
  final void case31() throws Exception {
    run(31);
  }

  @Test
  final void case32() throws Exception {
    run(32);
  }

  @Test
  final void case33() throws Exception {
    run(33);
  }

  @Test
  final void case34() throws Exception {
    run(34);
  }

  @Test
  final void case36() throws Exception {
    run(36);
  }

  @Test
  final void case37() throws Exception {
    run(37);
  }

  @Test
  final void case38() throws Exception {
    run(38);
  }

  @Test
  final void case39() throws Exception {
    run(39);
  }

  @Test
  final void case40() throws Exception {
    run(40);
  }

  @Test
  final void case41() throws Exception {
    run(41);
  }

  @Test
  final void case42() throws Exception {
    run(42);
  }

  @Test
  final void case43() throws Exception {
    run(43);
  }

  @Test
  final void case44() throws Exception {
    run(44);
  }

  @Test
  final void case45() throws Exception {
    run(45);
  }

  @Test
  final void case46() throws Exception {
    run(46);
  }
}
