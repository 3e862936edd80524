package dev.realtime.channel;

/**
 * The kind of a channel, read from the prefix of its name the way Pusher and Laravel do.
 *
 * <p>The type is a label for applications (for example to authorize WebSocket clients before they
 * join); brokers carry every type the same way.
 */
public enum ChannelType {
  /** A channel without a type prefix, such as {@code public.news} or {@code user.1}. */
  PUBLIC,

  /** A channel whose name starts with {@code private-}, such as {@code private-user.1}. */
  PRIVATE,

  /** A channel whose name starts with {@code presence-}, such as {@code presence-room.42}. */
  PRESENCE
}
