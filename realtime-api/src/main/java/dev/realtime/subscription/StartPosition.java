package dev.realtime.subscription;

import dev.realtime.Position;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Where a subscription or a history read starts: the latest end of the channel (only messages
 * published from now on), the earliest message still kept, a {@link Position}, or the first
 * message at or after a timestamp.
 *
 * <p>For a named group, the start applies only when the group first reads a channel; after that
 * the group resumes where its members left off.
 */
public final class StartPosition {
  /** The four ways to start. */
  public enum Kind {
    /** Only messages published after the subscription started. */
    LATEST,
    /** The oldest message the channel still keeps. */
    EARLIEST,
    /** The message at a {@link Position}, and what follows it. */
    POSITION,
    /** The first message published at or after a timestamp, and what follows it. */
    TIMESTAMP
  }

  private static final StartPosition LATEST = new StartPosition(Kind.LATEST, null, null);
  private static final StartPosition EARLIEST = new StartPosition(Kind.EARLIEST, null, null);

  private final Kind kind;
  private final @Nullable Position position;
  private final @Nullable Instant timestamp;

  private StartPosition(Kind kind, @Nullable Position position, @Nullable Instant timestamp) {
    this.kind = kind;
    this.position = position;
    this.timestamp = timestamp;
  }

  /** Start after the last message: receive only what is published from now on. */
  public static StartPosition latest() {
    return LATEST;
  }

  /** Start at the oldest message the channel still keeps. */
  public static StartPosition earliest() {
    return EARLIEST;
  }

  /** Start at {@code position} (inclusive). */
  public static StartPosition at(Position position) {
    return new StartPosition(Kind.POSITION, Objects.requireNonNull(position, "position == null"),
        null);
  }

  /** Start at the first message whose broker timestamp is at or after {@code timestamp}. */
  public static StartPosition at(Instant timestamp) {
    return new StartPosition(Kind.TIMESTAMP, null,
        Objects.requireNonNull(timestamp, "timestamp == null"));
  }

  /**
   * Parses the command-line form: {@code latest}, {@code earliest}, an ISO-8601 instant such as
   * {@code 2026-11-23T10:15:30Z}, or anything else as a broker position.
   */
  public static StartPosition parse(String text) {
    Objects.requireNonNull(text, "text == null");
    String trimmed = text.trim();
    if (trimmed.equalsIgnoreCase("latest")) {
      return LATEST;
    }
    if (trimmed.equalsIgnoreCase("earliest")) {
      return EARLIEST;
    }
    if (trimmed.length() > 10 && trimmed.charAt(4) == '-' && trimmed.contains("T")) {
      try {
        return at(Instant.parse(trimmed));
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException("start \"" + text + "\" looks like a time but is not "
            + "ISO-8601; write it like 2026-11-23T10:15:30Z", e);
      }
    }
    return at(Position.of(trimmed));
  }

  /** Which of the four ways this is. */
  public Kind kind() {
    return kind;
  }

  /** The position to start at; null unless {@link #kind()} is POSITION. */
  public @Nullable Position position() {
    return position;
  }

  /** The timestamp to start at; null unless {@link #kind()} is TIMESTAMP. */
  public @Nullable Instant timestamp() {
    return timestamp;
  }

  @Override
  public boolean equals(Object other) {
    if (!(other instanceof StartPosition)) {
      return false;
    }
    StartPosition that = (StartPosition) other;
    return kind == that.kind && Objects.equals(position, that.position)
        && Objects.equals(timestamp, that.timestamp);
  }

  @Override
  public int hashCode() {
    return Objects.hash(kind, position, timestamp);
  }

  @Override
  public String toString() {
    switch (kind) {
      case POSITION:
        return "position " + position;
      case TIMESTAMP:
        return "timestamp " + timestamp;
      default:
        return kind.name().toLowerCase(java.util.Locale.ROOT);
    }
  }
}
