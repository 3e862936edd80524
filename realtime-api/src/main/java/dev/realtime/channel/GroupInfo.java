package dev.realtime.channel;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/** One consumer group's progress on a channel, as {@link ChannelInfo} reports it. Immutable. */
public final class GroupInfo {
  private final String name;
  private final long pending;
  private final @Nullable Long lag;

  /**
   * Creates the report. Adapters call this.
   *
   * @param pending messages delivered to members and not yet acknowledged
   * @param lag messages not yet delivered to the group, or null where the broker cannot tell
   */
  public GroupInfo(String name, long pending, @Nullable Long lag) {
    this.name = Objects.requireNonNull(name, "name == null");
    this.pending = pending;
    this.lag = lag;
  }

  /** The group's name. */
  public String name() {
    return name;
  }

  /** Messages delivered to members and not yet acknowledged. */
  public long pending() {
    return pending;
  }

  /** Messages not yet delivered to the group, or null where the broker cannot tell. */
  public @Nullable Long lag() {
    return lag;
  }

  @Override
  public String toString() {
    return name + "{pending=" + pending + ", lag=" + lag + "}";
  }
}
