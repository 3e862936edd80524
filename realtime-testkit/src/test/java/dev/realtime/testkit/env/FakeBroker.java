package dev.realtime.testkit.env;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Stands in for a broker that answers wrongly: reads the first request of every connection,
 * answers it with fixed bytes, and closes.
 */
final class FakeBroker implements AutoCloseable {
  private final ServerSocket server;
  private final byte[] reply;
  private final List<byte[]> requests = new CopyOnWriteArrayList<>();

  FakeBroker(byte[] reply) throws IOException {
    this.server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
    this.reply = reply.clone();
    Thread thread = new Thread(this::serve, "fake-broker");
    thread.setDaemon(true);
    thread.start();
  }

  int port() {
    return server.getLocalPort();
  }

  /** The first bytes each connection sent, in order. */
  List<byte[]> requests() {
    return requests;
  }

  @Override
  public void close() throws IOException {
    server.close();
  }

  private void serve() {
    while (!server.isClosed()) {
      try (Socket socket = server.accept()) {
        socket.setSoTimeout(RawConnections.READ_TIMEOUT_MILLIS);
        // The probe writes each request at once, so one read on loopback holds all of it.
        byte[] buffer = new byte[256];
        int read = socket.getInputStream().read(buffer);
        requests.add(Arrays.copyOf(buffer, Math.max(read, 0)));
        socket.getOutputStream().write(reply);
        socket.shutdownOutput();
      } catch (IOException e) {
        // Closed by the test, or the client left: either way this exchange is over.
      }
    }
  }
}
