package dev.realtime;

import java.time.Instant;
import java.util.Objects;

/** Whether a broker answers, with the detail that says why not. Immutable. */
public final class Health {
  /** The state of the connection to the broker. */
  public enum Status {
    /** The broker answered within the health check's timeout. */
    UP,
    /** The broker did not answer, or answered with an error. */
    DOWN
  }

  private final String broker;
  private final Status status;
  private final String detail;
  private final Instant checkedAt;

  private Health(String broker, Status status, String detail) {
    this.broker = Objects.requireNonNull(broker, "broker == null");
    this.status = status;
    this.detail = Objects.requireNonNull(detail, "detail == null");
    this.checkedAt = Instant.now();
  }

  /** Returns a healthy report for {@code broker}; {@code detail} says what was checked. */
  public static Health up(String broker, String detail) {
    return new Health(broker, Status.UP, detail);
  }

  /** Returns an unhealthy report for {@code broker}; {@code reason} says what went wrong. */
  public static Health down(String broker, String reason) {
    return new Health(broker, Status.DOWN, reason);
  }

  /** The adapter's name, such as {@code kafka}. */
  public String broker() {
    return broker;
  }

  /** UP or DOWN. */
  public Status status() {
    return status;
  }

  /** Returns true if the status is UP. */
  public boolean isUp() {
    return status == Status.UP;
  }

  /** What was checked (when up) or what went wrong (when down). Never holds a secret. */
  public String detail() {
    return detail;
  }

  /** When the check ran. */
  public Instant checkedAt() {
    return checkedAt;
  }

  @Override
  public String toString() {
    return broker + " " + status + ": " + detail;
  }
}
