package dev.realtime.kafka;

import java.util.Base64;
import java.util.BitSet;
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
 * ({@link #doneAbove}), so that the partition's next owner skips it instead of handling it a
 * second time: a member closed cleanly hands over nothing twice (Kafka keeps one offset per
 * partition, and the lanes of a member finish records out of order).
 *
 * <p>Thread-safe: records are added by the poll thread and finished by handler threads.
 */
final class OffsetTracker {
  /** Commit metadata of finished offsets: {@code rt1:<committed offset>:<base64 bit set>}. */
  private static final String PREFIX = "rt1:";
  /** Kafka's offset.metadata.max.bytes is 4096 by default: a larger set is left out. */
  private static final int MAX_METADATA = 3000;

  private final TreeSet<Long> unfinished = new TreeSet<>();
  private long next = -1;

  synchronized void fetched(long offset) {
    unfinished.add(offset);
    next = Math.max(next, offset + 1);
  }

  synchronized void finished(long offset) {
    unfinished.remove(offset);
  }

  /** The offset to commit, or -1 when nothing was fetched. */
  synchronized long committable() {
    return unfinished.isEmpty() ? next : unfinished.first();
  }

  /**
   * The commit metadata naming the offsets after {@code committed} that finished (or were
   * skipped, as invalid records are), "" when there are none or too many to say.
   */
  synchronized String doneAbove(long committed) {
    if (unfinished.isEmpty() || committed != unfinished.first() || next - committed > 8L
        * MAX_METADATA * 3 / 4) {
      return "";
    }
    BitSet done = new BitSet();
    done.set(1, (int) (next - committed));
    for (long offset : unfinished) {
      done.clear((int) (offset - committed));
    }
    if (done.isEmpty()) {
      return "";
    }
    String text = PREFIX + committed + ":"
        + Base64.getEncoder().withoutPadding().encodeToString(done.toByteArray());
    return text.length() > MAX_METADATA ? "" : text;
  }

  /**
   * The offsets that finished after {@code committed}, read from a commit's {@code metadata};
   * empty if it says nothing, or something about another offset.
   */
  static NavigableSet<Long> doneAbove(long committed, String metadata) {
    NavigableSet<Long> out = new TreeSet<>();
    if (metadata == null || !metadata.startsWith(PREFIX)) {
      return out;
    }
    int colon = metadata.indexOf(':', PREFIX.length());
    try {
      if (colon < 0 || Long.parseLong(metadata.substring(PREFIX.length(), colon)) != committed) {
        return out;
      }
      BitSet done = BitSet.valueOf(Base64.getDecoder().decode(metadata.substring(colon + 1)));
      done.stream().forEach(i -> out.add(committed + i));
    } catch (IllegalArgumentException e) {
      // Metadata someone else wrote: nothing to skip.
    }
    return out;
  }
}
