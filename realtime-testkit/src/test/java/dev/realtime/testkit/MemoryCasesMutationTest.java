package dev.realtime.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realtime.Brokers;
import dev.realtime.Capabilities;
import dev.realtime.testkit.env.Environments;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@link MemoryCasesMutation} lists its cases one method each (PIT needs a test per case), so a
 * new case is easily left out, and the mutation score then silently goes without it. This keeps
 * the list whole: every case the in-memory broker can run is there, and nothing else.
 */
class MemoryCasesMutationTest {
  @Test
  void listsEveryCaseTheInMemoryBrokerRuns() throws Exception {
    Capabilities memory;
    try (dev.realtime.Broker broker = Brokers.open(Environments.memory().config())) {
      memory = broker.capabilities();
    }
    Set<Integer> runnable = ConformanceSuite.cases().stream()
        .filter(c -> c.hook() == ConformanceCase.Hook.NONE)
        .filter(c -> memory.asSet().containsAll(c.gate()))
        .map(ConformanceCase::number)
        .collect(Collectors.toCollection(TreeSet::new));
    Set<Integer> listed = Arrays.stream(MemoryCasesMutation.class.getDeclaredMethods())
        .map(Method::getName)
        .filter(name -> name.matches("case\\d+"))
        .map(name -> Integer.parseInt(name.substring("case".length())))
        .collect(Collectors.toCollection(TreeSet::new));

    assertThat(listed).as("the cases MemoryCasesMutation runs for scripts/mutation")
        .isEqualTo(runnable);
  }
}
