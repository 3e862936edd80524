package dev.realtime.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static dev.realtime.testkit.Awaits.await;

import dev.realtime.Message;
import dev.realtime.subscription.MessageHandler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts what a handler received, by message id: the suite's one way of telling loss from
 * duplication. Every delivery is counted; the first delivery of each id is kept in arrival
 * order, which is what per-key ordering is checked on. Thread-safe.
 */
public final class DeliveryLog implements MessageHandler {
  private final Map<String, Integer> counts = new ConcurrentHashMap<>();
  private final List<Message> firstDeliveries = new ArrayList<>();

  @Override
  public void handle(Message message) {
    record(message);
  }

  /** Records one delivery of {@code message}. */
  public void record(Message message) {
    synchronized (firstDeliveries) {
      if (counts.merge(message.id(), 1, Integer::sum) == 1) {
        firstDeliveries.add(message);
      }
    }
  }

  /** Waits until every id in {@code ids} was delivered at least once; fails naming the lost. */
  public void awaitAll(Collection<String> ids, Duration deadline) {
    try {
      await().atMost(deadline).until(() -> counts.keySet().containsAll(ids));
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      List<String> missing = new ArrayList<>(ids);
      missing.removeAll(counts.keySet());
      throw new AssertionError(missing.size() + " of " + ids.size() + " messages were not "
          + "delivered within " + deadline + ", e.g. " + missing.subList(0,
          Math.min(5, missing.size())), e);
    }
  }

  /** The ids delivered at least once. */
  public Set<String> ids() {
    return Set.copyOf(counts.keySet());
  }

  /** How often {@code id} was delivered. */
  public int count(String id) {
    return counts.getOrDefault(id, 0);
  }

  /** The ids delivered more than once, with their counts. */
  public Map<String, Integer> duplicates() {
    Map<String, Integer> out = new HashMap<>();
    counts.forEach((id, count) -> {
      if (count > 1) {
        out.put(id, count);
      }
    });
    return out;
  }

  /** Every id's first delivery, in arrival order. */
  public List<Message> firstDeliveries() {
    synchronized (firstDeliveries) {
      return List.copyOf(firstDeliveries);
    }
  }

  /** Asserts that the delivered ids are exactly {@code expected}: no loss, nothing foreign. */
  public void assertExactly(Collection<String> expected) {
    assertThat(ids()).as("delivered ids").containsExactlyInAnyOrderElementsOf(Set.copyOf(expected));
  }

  /**
   * Asserts that, for each key, first deliveries came in {@code published} order (the order of
   * the ids given, which is the publish order).
   */
  public void assertOrderPerKey(List<Message> published) {
    Map<String, Integer> rank = new HashMap<>();
    for (int i = 0; i < published.size(); i++) {
      rank.put(published.get(i).id(), i);
    }
    Map<String, List<Integer>> perKey = new LinkedHashMap<>();
    for (Message message : firstDeliveries()) {
      perKey.computeIfAbsent(String.valueOf(message.key()), k -> new ArrayList<>())
          .add(rank.getOrDefault(message.id(), -1));
    }
    perKey.forEach((key, ranks) -> assertThat(ranks).as("publish ranks of key " + key).isSorted());
  }
}
