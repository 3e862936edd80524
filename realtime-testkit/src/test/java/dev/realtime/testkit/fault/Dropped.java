package dev.realtime.testkit.fault;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;

/** The one check, for every test that cuts connections, that a connection really ended. */
public final class Dropped {
  private Dropped() {}

  /**
   * The connection has ended: after any bytes already received, end of stream or a reset, but
   * not a hang. {@code socket} must have a read timeout, {@code readTimeoutMillis}.
   */
  public static void assertDropped(Socket socket, int readTimeoutMillis) {
    byte[] buffer = new byte[8192];
    try {
      InputStream in = socket.getInputStream();
      while (in.read(buffer) != -1) {
        // Bytes the broker sent before the cut; the end comes after them.
      }
    } catch (SocketTimeoutException e) {
      throw new AssertionError("The connection stayed open: the read timed out after "
          + readTimeoutMillis + " ms", e);
    } catch (IOException e) {
      // Reset: dropped.
    }
  }
}
