package dev.realtime.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@link CaseByCase} lists its cases one method each (PIT needs a test per case), so a new case
 * is easily left out, and every mutation score then silently goes without it. This keeps the
 * list whole: every case of the suite is there, and nothing else.
 */
class CaseByCaseTest {
  @Test
  void listsEveryCaseOfTheSuite() {
    Set<Integer> cases = ConformanceSuite.cases().stream()
        .map(ConformanceCase::number)
        .collect(Collectors.toCollection(TreeSet::new));
    Set<Integer> listed = Arrays.stream(CaseByCase.class.getDeclaredMethods())
        .map(Method::getName)
        .filter(name -> name.matches("case\\d+"))
        .map(name -> Integer.parseInt(name.substring("case".length())))
        .collect(Collectors.toCollection(TreeSet::new));

    assertThat(listed).as("the cases CaseByCase runs for scripts/mutation").isEqualTo(cases);
  }
}
