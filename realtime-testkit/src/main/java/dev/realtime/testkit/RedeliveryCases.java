package dev.realtime.testkit;

import static dev.realtime.testkit.Awaits.await;
import static dev.realtime.testkit.CaseContext.ids;
import static org.assertj.core.api.Assertions.assertThat;

import dev.realtime.Broker;
import dev.realtime.Capability;
import dev.realtime.HistoryQuery;
import dev.realtime.Message;
import dev.realtime.channel.Channel;
import dev.realtime.subscription.DeadLetterHeaders;
import dev.realtime.subscription.SubscriptionSpec;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Cases about messages that must come back: one whose dead-letter publish the broker refused,
 * and those a member held when it died without closing.
 */
final class RedeliveryCases {
  private RedeliveryCases() {}

  static List<ConformanceCase> all() {
    return List.of(
        ConformanceCase.withHook(37, "a refused dead letter comes back",
            Set.of(Capability.DEAD_LETTER), ConformanceCase.Hook.PUBLISH_REFUSAL,
            RedeliveryCases::refusedDeadLetterComesBack),
        ConformanceCase.withHook(38, "a dead member's messages are taken over",
            Set.of(Capability.CONSUMER_GROUPS, Capability.PERSISTENCE),
            ConformanceCase.Hook.MEMBER_DEATH, RedeliveryCases::deadMembersMessagesTakenOver));
  }

  /**
   * Case 37. The broker refuses the dead-letter channel; a message fails every attempt, its
   * dead-letter publish fails: it is released, not lost, and the handler gets it again (an
   * attempt more). Once the channel takes publishes again, the message lands there; the
   * messages after it were handled all along.
   */
  private static void refusedDeadLetterComesBack(CaseContext ctx) throws Exception {
    Channel channel = ctx.channel("jobs");
    Channel dlq = ctx.channel("jobs-dlq");
    boolean groups = ctx.broker().capabilities().has(Capability.CONSUMER_GROUPS);
    String group = groups ? ctx.group("workers") : null;
    if (groups) {
      ctx.ensureGroups(channel, group);
    }
    AutoCloseable refused = ctx.refusePublishes(dlq);
    Map<String, List<Integer>> attempts = new ConcurrentHashMap<>();
    DeliveryLog handled = ctx.log("handled");
    ctx.subscribe(SubscriptionSpec.builder().channel(channel).group(group)
        .retryPolicy(HandlingCases.FAST_RETRY).deadLetterChannel(dlq).build(), m -> {
          attempts.computeIfAbsent(m.id(), id -> new CopyOnWriteArrayList<>())
              .add(m.deliveryAttempt());
          if (m.event().equals("poison")) {
            throw new IllegalStateException("cannot handle poison");
          }
          handled.record(m);
        });
    if (!groups) {
      ctx.awaitAttached(channel, handled);
    }
    Message poison = ctx.message(channel, "poison");
    ctx.confirm(poison);
    List<String> after = ids(ctx.publish(channel, 3));

    // Three attempts, a refused dead-letter publish, then the message is back: a fourth call.
    try {
      await().atMost(ctx.deadline()).until(
          () -> attempts.getOrDefault(poison.id(), List.of()).size() > 3);
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError("the message whose dead-letter publish was refused never came "
          + "back to a handler (attempts seen: " + attempts.get(poison.id()) + "): it was "
          + "lost", e);
    }
    List<Integer> seen = List.copyOf(attempts.get(poison.id()));
    assertThat(seen.subList(0, 3)).as("attempts before the refused dead-letter publish")
        .containsExactly(1, 2, 3);
    // Released by the dispatcher: the next delivery counts one more than the one dispatched.
    assertThat(seen.get(3)).as("the delivery after the refused dead letter counts one more "
        + "(attempts seen: %s)", seen).isGreaterThanOrEqualTo(2);
    handled.awaitAll(after, ctx.deadline());

    refused.close();
    List<String> deadLetters = ids(await().atMost(ctx.deadline()).until(
        () -> ctx.broker().history(dlq, HistoryQuery.earliest().limit(100)),
        stored -> stored.stream().anyMatch(m -> m.id().equals(poison.id()))));
    assertThat(deadLetters).as("the dead-letter channel once it takes publishes again")
        .contains(poison.id());
    Message dead = ctx.broker().history(dlq, HistoryQuery.earliest().limit(100)).stream()
        .filter(m -> m.id().equals(poison.id())).reduce((first, last) -> last).orElseThrow();
    assertThat(Integer.parseInt(dead.header(DeadLetterHeaders.ATTEMPTS)))
        .as("attempts in the dead letter").isGreaterThanOrEqualTo(3);
  }

  /**
   * Case 38. A member on a client of its own holds a message in its handler, with more fetched
   * behind it; a second member of the group runs on another client. The first member's
   * connections are dropped for good, without close(): the second member gets everything,
   * the held message as a redelivery that counts (attempt 2 or more), and what is published
   * after the death.
   */
  private static void deadMembersMessagesTakenOver(CaseContext ctx) throws Exception {
    Channel channel = ctx.channel("jobs");
    String group = ctx.group("workers");
    ctx.ensureGroups(channel, group);
    List<String> backlog = ids(ctx.publish(channel, 20));
    MemberDeath death = ctx.memberDeath();
    Broker doomed = ctx.client(death.memberConfig());
    SubscriptionSpec spec = SubscriptionSpec.builder().channel(channel).group(group).build();
    CountDownLatch holding = new CountDownLatch(1);
    List<Message> heldByDoomed = new CopyOnWriteArrayList<>();
    CountDownLatch never = new CountDownLatch(1);
    // One lane: the first message is held, the rest it fetched wait behind it.
    doomed.subscribe(spec, m -> {
      heldByDoomed.add(m);
      holding.countDown();
      never.await();
    });
    assertThat(holding.await(ctx.deadline().toMillis(), TimeUnit.MILLISECONDS))
        .as("the doomed member got a message").isTrue();
    Message held = heldByDoomed.get(0);
    assertThat(held.deliveryAttempt()).as("the doomed member's delivery").isEqualTo(1);

    Broker survivor = ctx.client(death.survivorConfig());
    Map<String, Integer> attempts = new ConcurrentHashMap<>();
    DeliveryLog survived = ctx.log("survivor");
    ctx.track(survivor.subscribe(spec, m -> {
      attempts.putIfAbsent(m.id(), m.deliveryAttempt());
      survived.record(m);
    }));
    death.kill();
    List<String> later = ids(ctx.publish(channel, 5));

    List<String> expected = new java.util.ArrayList<>(backlog);
    expected.addAll(later);
    try {
      survived.awaitAll(expected, ctx.deadline());
    } catch (AssertionError e) {
      throw new AssertionError("the group's other member did not take over what the dead "
          + "member held (it held " + held.id() + ")", e);
    }
    assertThat(attempts.get(held.id())).as("the delivery of %s after its handler's member died "
        + "counts one more attempt", held.id()).isGreaterThanOrEqualTo(2);
    assertThat(heldByDoomed).as("the dead member's handler was called once").hasSize(1);
  }
}
