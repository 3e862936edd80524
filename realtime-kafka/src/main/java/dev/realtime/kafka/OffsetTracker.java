package dev.realtime.kafka;

import java.util.Base64;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeSet;

/**
 * One partition's handling progress: which fetched offsets are not finished yet, and so which
 * offset may be committed. With concurrency above one, records of a partition finish out of
 * order; committing the highest finished offset would skip an unfinished one and lose it on a
 * restart. The committable offset is therefore the lowest unfinished one (Kafka commits "the
 * next offset to read"), or one past the highest fetched when everything finished.
 *
 * <p>What finished beyond the committable offset travels with the commit as its metadata
 * ({@link #metadata}), so that the partition's next owner skips it instead of handling it a
 * second time: a member closed cleanly hands over nothing twice (Kafka keeps one offset per
 * partition, and the lanes of a member finish records out of order). So do the records given to
 * handlers and not finished, with their attempt: if the member dies, or its last commit is lost,
 * the next owner's delivery of them is one attempt more (Kafka keeps no delivery count).
 *
 * <p>Thread-safe: records are added by the poll thread and finished by handler threads.
 */
final class OffsetTracker {
  /**
   * Commit metadata: {@code rt1:<committed offset>:<base64 bit set of finished offsets, bit i
   * for committed + i>:<given offsets as delta.attempt, comma-separated>}.
   */
  private static final String PREFIX = "rt1:";
  /** Kafka's offset.metadata.max.bytes is 4096 by default: a larger set is left out. */
  private static final int MAX_METADATA = 3000;

  private final TreeSet<Long> unfinished = new TreeSet<>();
  /** Unfinished offsets given to this member's handlers, with the attempt they were given as. */
  private final java.util.TreeMap<Long, Integer> attempts = new java.util.TreeMap<>();
  private long next = -1;

  synchronized void fetched(long offset) {
    unfinished.add(offset);
    next = Math.max(next, offset + 1);
  }

  /** The record at {@code offset} goes to a handler as delivery {@code attempt}. */
  synchronized void delivering(long offset, int attempt) {
    attempts.put(offset, attempt);
  }

  /** The record at {@code offset} was given back unhandled (a clean close): no attempt spent. */
  synchronized void handedBack(long offset) {
    attempts.remove(offset);
  }

  synchronized void finished(long offset) {
    unfinished.remove(offset);
    attempts.remove(offset);
  }

  /** The offset to commit, or -1 when nothing was fetched. */
  synchronized long committable() {
    return unfinished.isEmpty() ? next : unfinished.first();
  }

  /**
   * The commit metadata for a commit at {@code committed}: the offsets after it that finished
   * (or were skipped, as invalid records are), and the unfinished ones a handler was given, with
   * their attempt, so that the next owner counts its delivery as one more. "" when there is
   * nothing to say, or too much.
   */
  synchronized String metadata(long committed) {
    if (unfinished.isEmpty() || committed != unfinished.first()
        || next - committed > 8L * MAX_METADATA * 3 / 4) {
      return "";
    }
    BitSet done = new BitSet();
    done.set(1, (int) (next - committed));
    for (long offset : unfinished) {
      done.clear((int) (offset - committed));
    }
    StringBuilder given = new StringBuilder();
    attempts.forEach((offset, attempt) -> given.append(given.length() == 0 ? "" : ",")
        .append(offset - committed).append('.').append(attempt));
    if (done.isEmpty() && given.length() == 0) {
      return "";
    }
    String text = PREFIX + committed + ":"
        + Base64.getEncoder().withoutPadding().encodeToString(done.toByteArray()) + ":" + given;
    return text.length() > MAX_METADATA ? "" : text;
  }

  /** What a partition's last owner said in its commit: see {@link #metadata(long)}. */
  static final class Handover {
    final NavigableSet<Long> done = new TreeSet<>();
    final Map<Long, Integer> attempts = new HashMap<>();

    boolean isEmpty() {
      return done.isEmpty() && attempts.isEmpty();
    }
  }

  /**
   * Reads a commit's {@code metadata}; empty if it says nothing, or something about another
   * offset than {@code committed}.
   */
  static Handover read(long committed, String metadata) {
    Handover out = new Handover();
    if (metadata == null || !metadata.startsWith(PREFIX)) {
      return out;
    }
    String[] parts = metadata.substring(PREFIX.length()).split(":", -1);
    try {
      if (parts.length != 3 || Long.parseLong(parts[0]) != committed) {
        return out;
      }
      BitSet done = BitSet.valueOf(Base64.getDecoder().decode(parts[1]));
      done.stream().forEach(i -> out.done.add(committed + i));
      if (!parts[2].isEmpty()) {
        for (String given : parts[2].split(",")) {
          int dot = given.indexOf('.');
          out.attempts.put(committed + Long.parseLong(given.substring(0, dot)),
              Integer.parseInt(given.substring(dot + 1)));
        }
      }
    } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
      out.done.clear(); // Metadata someone else wrote: nothing to skip or count.
      out.attempts.clear();
    }
    return out;
  }
}
