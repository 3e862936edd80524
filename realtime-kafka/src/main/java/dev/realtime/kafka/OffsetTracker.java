package dev.realtime.kafka;

import java.util.TreeSet;

/**
 * One partition's handling progress: which fetched offsets are not finished yet, and so which
 * offset may be committed. With concurrency above one, records of a partition finish out of
 * order; committing the highest finished offset would skip an unfinished one and lose it on a
 * restart. The committable offset is therefore the lowest unfinished one (Kafka commits "the
 * next offset to read"), or one past the highest fetched when everything finished.
 * Thread-safe: records are added by the poll thread and finished by handler threads.
 */
final class OffsetTracker {
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
}
