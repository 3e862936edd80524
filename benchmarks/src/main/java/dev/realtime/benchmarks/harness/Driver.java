package dev.realtime.benchmarks.harness;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * One side of the comparison on one backend: a raw client (L2) or the SDK (L3), publishing to
 * one channel and consuming it, with the same delivery semantics as its counterpart. The
 * harness drives every driver the same way, so that the only difference measured is the code
 * between the application and the broker.
 */
public interface Driver extends AutoCloseable {
  /**
   * Opens the clients, creates {@code channel} and starts consuming it from now on; every
   * payload received goes to {@code sink}, from the driver's consumer thread. Without a sink
   * nothing consumes: the publish benchmarks measure publishing alone.
   */
  void start(String channel, @Nullable Consumer<ByteBuffer> sink) throws Exception;

  /** Publishes {@code payload}; the stage completes when the broker confirmed it. */
  CompletionStage<?> publish(byte[] payload);

  /** Stops consuming, deletes the channel, closes the clients. */
  @Override
  void close() throws Exception;
}
