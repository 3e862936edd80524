package dev.realtime.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Makes a bean's method the handler of a subscription, opened when the application context has
 * started and closed (draining the running calls) when it stops.
 *
 * <pre>{@code
 * @Component
 * class Mailer {
 *   @RealtimeListener(channels = "orders", group = "mailers")
 *   void onOrder(Order order) { ... }
 * }
 * }</pre>
 *
 * <p><b>Parameters</b>, in any order: at most one {@link dev.realtime.Message} (the message
 * itself, with its id, headers and delivery attempt) and at most one payload: a {@code byte[]}
 * or {@code String} receives the payload as it is; any other type is read from JSON with the
 * application's Jackson {@code JsonMapper} (Spring Boot's, with its modules and settings), or
 * realtime's own mapper where the application has none. A payload that cannot be read as that
 * type is not retried: it goes to the dead-letter channel at once, since no retry would change
 * it.
 *
 * <p><b>Outcome</b>: returning acknowledges the message; throwing retries it per the
 * subscription's retry policy, then dead-letters it, as for any {@link
 * dev.realtime.subscription.MessageHandler}.
 *
 * <p>Every attribute takes {@code ${...}} placeholders, resolved against the environment.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface RealtimeListener {
  /**
   * Channel names ({@code orders}) and patterns ({@code user.*}, {@code user.#}) to subscribe
   * to; at least one.
   */
  String[] channels();

  /**
   * The consumer group; empty (the default) for a broadcast subscription, in which every
   * instance of the application receives every message.
   */
  String group() default "";

  /**
   * Where a new subscription starts: empty for the default ({@code latest}), or {@code
   * earliest}, {@code latest}, a position, or an ISO-8601 time, as {@code
   * StartPosition.parse} reads them.
   */
  String start() default "";

  /** The channel that messages go to after their last failed attempt; empty for none. */
  String deadLetterChannel() default "";
}
