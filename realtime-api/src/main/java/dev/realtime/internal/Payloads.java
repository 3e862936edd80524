package dev.realtime.internal;

import dev.realtime.Message;
import java.util.Objects;

/**
 * A message's payload array without the copy the public API makes, for the adapters, which
 * hand it to a client that only reads it (a Kafka record, a Redis field, an AMQP body) and
 * build each received message around an array the client made for it alone.
 *
 * <p>Why: {@link Message#payload()} and {@link Message.Builder#payload(byte[])} copy, because an
 * application may write into its array afterwards and a message is immutable. An adapter writes
 * into neither, so each copy was the payload's size allocated and copied for nothing, twice a
 * message end to end (on Kafka at 1 KiB, {@code Arrays.copyOf} and {@code copyOfRange} were 4%
 * of the SDK's CPU samples where the raw client had 1%). {@code Message} installs the access
 * when its class is initialized, which has happened wherever a message or a builder exists; the
 * pattern is OkHttp's {@code Internal}.
 */
public final class Payloads {
  /** What {@link Message} lets this class do; implemented there, where the fields are. */
  public interface Access {
    /** The message's own payload array. */
    byte[] shared(Message message);

    /** Sets {@code builder}'s payload to {@code payload} itself. */
    Message.Builder adopt(Message.Builder builder, byte[] payload);
  }

  private static volatile Access access;

  private Payloads() {}

  /**
   * Called once, by {@link Message}'s static initializer; from anywhere else it fails, so that
   * no other class can stand in for the message's fields.
   */
  public static void install(Access access) {
    Class<?> caller = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE)
        .getCallerClass();
    if (caller != Message.class || Payloads.access != null) {
      throw new IllegalStateException("only dev.realtime.Message installs the payload access, "
          + "once; " + caller.getName() + " tried to");
    }
    Payloads.access = Objects.requireNonNull(access, "access == null");
  }

  /**
   * Returns {@code message}'s payload array itself. The caller must never write into it, nor
   * give it to code that might.
   */
  public static byte[] shared(Message message) {
    return access.shared(message);
  }

  /**
   * Sets {@code builder}'s payload to {@code payload} without copying it: the caller gives the
   * array up, and nothing may write into it afterwards.
   */
  public static Message.Builder adopt(Message.Builder builder, byte[] payload) {
    return access.adopt(builder, Objects.requireNonNull(payload, "payload == null"));
  }
}
