package dev.realtime.rabbitmq;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryListener;
import com.rabbitmq.client.TopologyRecoveryException;
import com.rabbitmq.client.impl.ForgivingExceptionHandler;
import dev.realtime.internal.FailureReasons;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Says once per outage that RabbitMQ cannot be reached, with the root cause, and once that it
 * answers again; amqp-client's own reports (a connection reset, each failed recovery attempt,
 * with a stack trace at ERROR) go to debug. The broker's connections share it as their
 * ExceptionHandler, as the Redis adapter's ConnectionWatch does for Lettuce.
 *
 * <p>An outage begins when a connection drops that nobody closed; a drop that recovers at the
 * first attempt is no outage worth a warning (logged at debug). Errors of the application's own
 * callbacks are not outages: amqp-client's handling of them is kept.
 */
final class OutageLog extends ForgivingExceptionHandler {
  private static final Logger log = LoggerFactory.getLogger(RabbitBroker.class);

  private final String description;
  private final Duration publishTimeout;
  private long outageStart;
  private boolean warned;
  private boolean closed;

  OutageLog(String description, Duration publishTimeout) {
    this.description = description;
    this.publishTimeout = publishTimeout;
  }

  /** Follows {@code connection}'s drops and recoveries. */
  void watch(Connection connection) {
    connection.addShutdownListener(signal -> {
      if (!signal.isInitiatedByApplication()) {
        dropped(FailureReasons.of(signal));
      }
    });
    ((Recoverable) connection).addRecoveryListener(new RecoveryListener() {
      @Override
      public void handleRecovery(Recoverable recoverable) {
        recovered();
      }

      @Override
      public void handleRecoveryStarted(Recoverable recoverable) {}
    });
  }

  /** The broker closes its connections on purpose now: nothing more to report. */
  synchronized void close() {
    closed = true;
  }

  private synchronized void dropped(String why) {
    if (outageStart == 0) {
      outageStart = System.nanoTime();
    }
    log.debug("a connection to RabbitMQ at {} dropped ({}); amqp-client recovers it",
        description, why);
  }

  private synchronized void attemptFailed(String what, Throwable cause) {
    if (closed) {
      return;
    }
    if (!warned) {
      warned = true;
      if (outageStart == 0) {
        outageStart = System.nanoTime();
      }
      log.warn("cannot reach RabbitMQ at {} ({}); reconnecting every 500 ms. Publishes wait up "
          + "to {} (realtime.publish-timeout) and then fail; subscriptions resume where they "
          + "were once it is back.", description, FailureReasons.of(cause), publishTimeout);
    }
    log.debug("{} (RabbitMQ at {})", what, description, cause);
  }

  private synchronized void recovered() {
    long millis = outageStart == 0 ? 0 : (System.nanoTime() - outageStart) / 1_000_000;
    if (warned && !closed) {
      log.info("RabbitMQ at {} answers again, after {} ms", description, millis);
    } else {
      log.debug("reconnected to RabbitMQ at {} after {} ms", description, millis);
    }
    warned = false;
    outageStart = 0;
  }

  @Override
  public void handleUnexpectedConnectionDriverException(Connection connection,
      Throwable exception) {
    // The drop itself: its shutdown listener saw it; recovery begins.
    log.debug("the connection to RabbitMQ at {} failed", description, exception);
  }

  @Override
  public void handleConnectionRecoveryException(Connection connection, Throwable exception) {
    attemptFailed("a connection recovery attempt failed", exception);
  }

  @Override
  public void handleChannelRecoveryException(Channel channel, Throwable exception) {
    attemptFailed("recovering a channel failed", exception);
  }

  @Override
  public void handleTopologyRecoveryException(Connection connection, Channel channel,
      TopologyRecoveryException exception) {
    attemptFailed("recovering the topology failed", exception);
  }
}
