package dev.realtime.benchmarks.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One experiment's accounts, by message id: what was published and how each publish ended, and
 * every receipt (which member, when). Times are {@code System.nanoTime()} of this JVM, the
 * parent's, so that receipts in child JVMs are comparable with the faults it injects.
 * Thread-safe.
 */
final class Ledger {
  /** A receipt: who got the message and when. */
  record Receipt(String member, long nanos) {}

  private final Set<String> published = new HashSet<>();
  private final Set<String> confirmed = new HashSet<>();
  private final Set<String> failed = new HashSet<>();
  private final Map<String, List<Receipt>> receipts = new HashMap<>();
  private final List<Long> confirmTimes = new ArrayList<>();

  synchronized void published(String id) {
    published.add(id);
  }

  synchronized void confirmed(String id) {
    confirmed.add(id);
    confirmTimes.add(System.nanoTime());
  }

  synchronized void failed(String id) {
    failed.add(id);
  }

  synchronized void received(String member, String id) {
    receipts.computeIfAbsent(id, key -> new ArrayList<>())
        .add(new Receipt(member, System.nanoTime()));
  }

  synchronized int published() {
    return published.size();
  }

  synchronized int confirmed() {
    return confirmed.size();
  }

  synchronized int failed() {
    return failed.size();
  }

  /** Publishes neither confirmed nor failed yet. */
  synchronized int pending() {
    return published.size() - confirmed.size() - failed.size();
  }

  /** Distinct ids received, by anyone. */
  synchronized int received() {
    return receipts.size();
  }

  /** Receipts beyond the first of each id: redeliveries. */
  synchronized int duplicated() {
    return receipts.values().stream().mapToInt(list -> list.size() - 1).sum();
  }

  /** Confirmed ids never received. */
  synchronized int lost() {
    return (int) confirmed.stream().filter(id -> !receipts.containsKey(id)).count();
  }

  /** Up to ten confirmed ids never received, for the log. */
  synchronized List<String> lostIds() {
    return confirmed.stream().filter(id -> !receipts.containsKey(id)).sorted().limit(10)
        .toList();
  }

  /** Whether every confirmed id has been received. */
  synchronized boolean allConfirmedReceived() {
    return receipts.keySet().containsAll(confirmed);
  }

  /** Whether every published id has been received. */
  synchronized boolean allPublishedReceived() {
    return receipts.keySet().containsAll(published);
  }

  /** Distinct ids {@code member} received. */
  synchronized Set<String> receivedBy(String member) {
    Set<String> ids = new HashSet<>();
    receipts.forEach((id, list) -> {
      if (list.stream().anyMatch(receipt -> receipt.member().equals(member))) {
        ids.add(id);
      }
    });
    return ids;
  }

  /** Receipts by {@code member} of ids another member had received first. */
  synchronized int redeliveredTo(String member) {
    int count = 0;
    for (List<Receipt> list : receipts.values()) {
      if (list.size() > 1 && !list.get(0).member().equals(member)
          && list.stream().skip(1).anyMatch(receipt -> receipt.member().equals(member))) {
        count++;
      }
    }
    return count;
  }

  /**
   * Milliseconds from {@code since} to the first receipt by {@code member} of an id another
   * member received in the {@code window} before {@code since} (what it was working on when it
   * died, not older messages a rebalance handed over earlier), or failing that of any id another
   * member received before {@code since}: the survivor taking over the dead member's messages.
   * -1 if it never did.
   */
  synchronized long takeOver(String member, long since, Duration window) {
    long recent = takeOverOf(member, since - window.toNanos(), since);
    return recent >= 0 ? recent : takeOverOf(member, Long.MIN_VALUE, since);
  }

  private long takeOverOf(String member, long from, long since) {
    long first = Long.MAX_VALUE;
    for (List<Receipt> list : receipts.values()) {
      // No upper bound: the dead member's last lines are read, and stamped, after the kill.
      boolean heldByOther = list.stream().anyMatch(receipt -> !receipt.member().equals(member)
          && receipt.nanos() >= from);
      if (heldByOther) {
        for (Receipt receipt : list) {
          if (receipt.member().equals(member) && receipt.nanos() >= since) {
            first = Math.min(first, receipt.nanos());
          }
        }
      }
    }
    return first == Long.MAX_VALUE ? -1 : TimeUnit.NANOSECONDS.toMillis(first - since);
  }

  /** When {@code member} first received anything; empty if it has not. */
  synchronized OptionalLong firstReceipt(String member) {
    return receipts.values().stream().flatMap(List::stream)
        .filter(receipt -> receipt.member().equals(member)).mapToLong(Receipt::nanos).min();
  }

  /** Milliseconds from {@code since} to the first receipt after it, by anyone; -1 if none. */
  synchronized long firstReceiptAfter(long since) {
    long first = receipts.values().stream().flatMap(List::stream).mapToLong(Receipt::nanos)
        .filter(nanos -> nanos >= since).min().orElse(Long.MAX_VALUE);
    return first == Long.MAX_VALUE ? -1 : TimeUnit.NANOSECONDS.toMillis(first - since);
  }

  /** Milliseconds from {@code since} to the first confirm after it; -1 if none. */
  synchronized long firstConfirmAfter(long since) {
    long first = confirmTimes.stream().mapToLong(Long::longValue).filter(nanos -> nanos >= since)
        .min().orElse(Long.MAX_VALUE);
    return first == Long.MAX_VALUE ? -1 : TimeUnit.NANOSECONDS.toMillis(first - since);
  }

  /** The receipt time of the last receipt, or {@code since} if none came after it. */
  synchronized long lastReceipt() {
    return receipts.values().stream().flatMap(List::stream).mapToLong(Receipt::nanos).max()
        .orElse(0);
  }
}
