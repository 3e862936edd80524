package dev.realtime.testkit.fault;

import java.io.Closeable;
import java.io.IOException;
import java.net.Socket;

/** Closing sockets without caring whether they are still open. */
final class Sockets {
  private Sockets() {}

  /**
   * Closes with a TCP reset instead of an orderly shutdown: a broken network is what the tests
   * need to show, and a reset leaves no TIME_WAIT behind when a test cuts many connections.
   */
  static void reset(Socket socket) {
    try {
      socket.setSoLinger(true, 0);
    } catch (IOException e) {
      // Already closed, or not connected: nothing to reset, so a plain close will do.
    }
    closeQuietly(socket);
  }

  static void closeQuietly(Closeable closeable) {
    try {
      closeable.close();
    } catch (IOException e) {
      // Closing is best effort: the other side sees the connection end either way.
    }
  }
}
