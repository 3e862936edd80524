package dev.realtime.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import dev.realtime.BrokerUnavailableException;
import dev.realtime.internal.FailureReasons;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Reads a stream queue from an offset to its end, for history and the registry.
 *
 * <p>AMQP tells no stream's end: a consumer just stops receiving. The read therefore ends when
 * {@code limit} deliveries came, or when none came for a quiet period after the last one
 * (RabbitMQ sends what a stream holds at once, chunk after chunk, as credit allows). A message
 * published during the read may or may not be in it.
 */
final class StreamReader {
  /** How long without a delivery means the end was reached, for history. */
  static final Duration QUIET = Duration.ofMillis(250);

  /** One delivery of the read. */
  record Delivery(Envelope envelope, AMQP.BasicProperties properties, byte[] body) {}

  private StreamReader() {}

  /**
   * Returns up to {@code limit} deliveries of {@code queue} from {@code offset} (an {@code
   * x-stream-offset} value: {@code "first"}, a number, a {@link java.util.Date}).
   */
  static List<Delivery> read(Connection connection, String queue, Object offset, int limit,
      Duration quiet, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        return readOnce(connection, queue, offset, limit, quiet, timeout);
      } catch (BrokerUnavailableException e) {
        // An AMQP stream consumer reads the replica on its connection's node, and a node that
        // was just started again serves AMQP before its replicas are back: "does not have a
        // replica on the local node" for a moment (seen on a cluster right after a node's
        // restart). Within the timeout, that is waited out.
        if (!FailureReasons.of(e).contains("does not have a replica on the local node")
            || System.nanoTime() > deadline) {
          throw e;
        }
        Topology.pauseBeforeRetry(e);
      }
    }
  }

  private static List<Delivery> readOnce(Connection connection, String queue, Object offset,
      int limit, Duration quiet, Duration timeout) {
    LinkedBlockingQueue<Delivery> received = new LinkedBlockingQueue<>();
    com.rabbitmq.client.Channel amqp = null;
    List<Delivery> out = new ArrayList<>();
    try {
      amqp = connection.createChannel();
      amqp.basicQos(Math.min(Math.max(limit, 1), 1000));
      com.rabbitmq.client.Channel reading = amqp;
      amqp.basicConsume(queue, false, Map.of(AmqpMessages.STREAM_OFFSET, offset),
          new DefaultConsumer(amqp) {
            @Override
            public void handleDelivery(String tag, Envelope envelope,
                AMQP.BasicProperties properties, byte[] body) throws IOException {
              received.add(new Delivery(envelope, properties, body));
              reading.basicAck(envelope.getDeliveryTag(), false);
            }
          });
      long deadline = System.nanoTime() + timeout.toNanos();
      // The first delivery may take a moment (the consumer attaches to the stream's reader);
      // after it, a quiet period ends the read.
      Duration wait = Duration.ofMillis(Math.min(timeout.toMillis(), 1000));
      while (out.size() < limit && System.nanoTime() < deadline) {
        Delivery next = received.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
        if (next == null) {
          break;
        }
        out.add(next);
        wait = quiet;
      }
      return out;
    } catch (IOException e) {
      throw new BrokerUnavailableException("could not read stream " + queue + ": "
          + FailureReasons.of(e), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BrokerUnavailableException("interrupted while reading stream " + queue, e);
    } finally {
      Topology.closeQuietly(amqp);
    }
  }
}
