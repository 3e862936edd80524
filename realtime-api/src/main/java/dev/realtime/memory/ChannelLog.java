package dev.realtime.memory;

import dev.realtime.Message;
import dev.realtime.Position;
import dev.realtime.channel.Channel;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArraySet;
import org.jspecify.annotations.Nullable;

/**
 * One channel's messages: an append-only log of offsets from {@link #startOffset()} (the oldest
 * kept) to {@link #endOffset()} (the next to be written), trimmed by count, bytes and age as a
 * broker's retention would trim it. Thread-safe; every method holds the log's lock briefly.
 */
final class ChannelLog {
  /** One stored message and the broker time it was appended (what timestamp starts search). */
  static final class Entry {
    final long offset;
    final Message message;
    final long appendedAtMillis;

    Entry(long offset, Message message, long appendedAtMillis) {
      this.offset = offset;
      this.message = message;
      this.appendedAtMillis = appendedAtMillis;
    }

    /** The message as delivered: with its position and the given attempt. */
    Message delivered(int attempt) {
      return message.newBuilder().position(Position.ofOffset(offset)).deliveryAttempt(attempt)
          .build();
    }
  }

  final Channel channel;
  private final List<Entry> entries = new ArrayList<>();
  /** Index in {@link #entries} of the oldest kept entry; compacted away in batches. */
  private int head;
  private long startOffset;
  private long endOffset;
  private long retainedBytes;
  private long maxMessages;
  private @Nullable Long retentionBytes;
  private @Nullable Duration retention;
  private volatile boolean deleted;
  private final CopyOnWriteArraySet<Runnable> listeners = new CopyOnWriteArraySet<>();

  ChannelLog(Channel channel, long firstOffset, long maxMessages) {
    this.channel = channel;
    this.startOffset = firstOffset;
    this.endOffset = firstOffset;
    this.maxMessages = maxMessages;
  }

  /**
   * Appends {@code message} and returns its offset, or -1 if this log was deleted (the caller
   * appends to the channel's new log instead); wakes every listener.
   */
  long append(Message message) {
    long offset;
    synchronized (this) {
      if (deleted) {
        return -1;
      }
      offset = endOffset++;
      entries.add(new Entry(offset, message, System.currentTimeMillis()));
      retainedBytes += message.payloadSize();
      trim();
    }
    for (Runnable listener : listeners) {
      listener.run();
    }
    return offset;
  }

  /** Returns the entry at {@code offset}, or null if it was trimmed or not yet written. */
  synchronized @Nullable Entry entry(long offset) {
    trim();
    if (offset < startOffset || offset >= endOffset) {
      return null;
    }
    return entries.get(head + (int) (offset - startOffset));
  }

  /** Returns up to {@code max} entries from {@code from} on (from the start if trimmed). */
  synchronized List<Entry> read(long from, int max) {
    trim();
    long first = Math.max(from, startOffset);
    List<Entry> out = new ArrayList<>((int) Math.min(max, Math.max(0, endOffset - first)));
    for (long offset = first; offset < endOffset && out.size() < max; offset++) {
      out.add(entries.get(head + (int) (offset - startOffset)));
    }
    return out;
  }

  /** The offset of the first entry appended at or after {@code time}, or the end. */
  synchronized long offsetAt(Instant time) {
    trim();
    long target = time.toEpochMilli();
    int low = head;
    int high = entries.size();
    while (low < high) {
      int mid = (low + high) >>> 1;
      if (entries.get(mid).appendedAtMillis < target) {
        low = mid + 1;
      } else {
        high = mid;
      }
    }
    return startOffset + (low - head);
  }

  synchronized long startOffset() {
    trim();
    return startOffset;
  }

  synchronized long endOffset() {
    return endOffset;
  }

  synchronized @Nullable Duration retention() {
    return retention;
  }

  /** Applies retention settings; null leaves one unchanged. Trims at once. */
  synchronized void configure(@Nullable Duration retention, @Nullable Long retentionBytes,
      @Nullable Long maxMessages) {
    if (retention != null) {
      this.retention = retention;
    }
    if (retentionBytes != null) {
      this.retentionBytes = retentionBytes;
    }
    if (maxMessages != null) {
      this.maxMessages = maxMessages;
    }
    trim();
  }

  void addListener(Runnable listener) {
    listeners.add(listener);
  }

  void removeListener(Runnable listener) {
    listeners.remove(listener);
  }

  /** Drops every message and refuses new ones; readers of this log see nothing more. */
  void delete() {
    synchronized (this) {
      deleted = true;
      entries.clear();
      head = 0;
      startOffset = endOffset;
      retainedBytes = 0;
    }
    for (Runnable listener : listeners) {
      listener.run();
    }
  }

  boolean isDeleted() {
    return deleted;
  }

  private void trim() {
    long oldestAllowed = retention == null ? Long.MIN_VALUE
        : System.currentTimeMillis() - retention.toMillis();
    while (startOffset < endOffset) {
      Entry oldest = entries.get(head);
      boolean tooMany = endOffset - startOffset > maxMessages;
      boolean tooLarge = retentionBytes != null && retainedBytes > retentionBytes;
      if (!tooMany && !tooLarge && oldest.appendedAtMillis >= oldestAllowed) {
        break;
      }
      entries.set(head, null);
      head++;
      startOffset++;
      retainedBytes -= oldest.message.payloadSize();
    }
    // Compact once the dropped prefix is half the list, so each entry moves O(1) times.
    if (head > 1024 && head > entries.size() / 2) {
      entries.subList(0, head).clear();
      head = 0;
    }
  }
}
