package dev.realtime.testkit.fault;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * One client connection and its connection to the target, with a thread copying bytes in each
 * direction. Ends when both directions have seen end of stream, when either fails, or when
 * {@link #close()} is called, and then tells its owner once.
 */
final class ProxiedConnection {
  private static final int BUFFER_BYTES = 16 * 1024;

  private final Socket client;
  private final Socket upstream;
  private final Consumer<ProxiedConnection> onClosed;
  private final AtomicBoolean closed = new AtomicBoolean();
  /** Directions still copying; an orderly end needs both to have seen end of stream. */
  private final AtomicInteger openDirections = new AtomicInteger(2);

  ProxiedConnection(Socket client, Socket upstream, Consumer<ProxiedConnection> onClosed) {
    this.client = client;
    this.upstream = upstream;
    this.onClosed = onClosed;
  }

  void start(String name) {
    startPump(client, upstream, name + "-up");
    startPump(upstream, client, name + "-down");
  }

  /** Resets both sides, dropping bytes in flight. Safe to call more than once, from any thread. */
  void close() {
    end(true);
  }

  private void end(boolean abrupt) {
    if (closed.compareAndSet(false, true)) {
      if (abrupt) {
        Sockets.reset(client);
        Sockets.reset(upstream);
      } else {
        // A reset would discard the last bytes that the kernel has not delivered yet.
        Sockets.closeQuietly(client);
        Sockets.closeQuietly(upstream);
      }
      onClosed.accept(this);
    }
  }

  private void startPump(Socket from, Socket to, String name) {
    Thread thread = new Thread(() -> pump(from, to), name);
    thread.setDaemon(true);
    thread.start();
  }

  private void pump(Socket from, Socket to) {
    byte[] buffer = new byte[BUFFER_BYTES];
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      int read;
      while ((read = in.read(buffer)) != -1) {
        out.write(buffer, 0, read);
      }
      // Pass the half-close on, so a peer that waits for end of stream before answering, as
      // some clients do, still gets its answer.
      to.shutdownOutput();
      if (openDirections.decrementAndGet() == 0) {
        end(false);
      }
    } catch (IOException e) {
      // Either side failed, or close() reset the sockets under us: either way this connection
      // is over, and the other side must see it too.
      close();
    }
  }
}
