package dev.realtime.testkit.env;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** Plain sockets that speak just enough Redis and AMQP to see whether a broker answers. */
final class RawConnections {
  /** A read that blocks this long means a connection was left hanging: a failure. */
  static final int READ_TIMEOUT_MILLIS = 10_000;
  static final byte[] AMQP_HEADER = {'A', 'M', 'Q', 'P', 0, 0, 9, 1};

  private RawConnections() {}

  static Socket open(String host, int port) throws IOException {
    Socket socket = new Socket(host, port);
    socket.setSoTimeout(READ_TIMEOUT_MILLIS);
    return socket;
  }

  /** Sends PING and returns the reply line, such as {@code +PONG}. */
  static String ping(Socket socket) throws IOException {
    socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
    byte[] reply = new byte["+PONG\r\n".length()];
    int read = socket.getInputStream().readNBytes(reply, 0, reply.length);
    return new String(reply, 0, read, StandardCharsets.US_ASCII).strip();
  }

  /** Sends the AMQP 0-9-1 header and returns the first byte of the reply, or -1. */
  static int amqpFirstByte(Socket socket) throws IOException {
    socket.getOutputStream().write(AMQP_HEADER);
    return socket.getInputStream().read();
  }

  /**
   * The connection has ended: after any bytes already received, end of stream or a reset, but
   * not a hang.
   */
  static void assertDropped(Socket socket) {
    dev.realtime.testkit.fault.Dropped.assertDropped(socket, READ_TIMEOUT_MILLIS);
  }



  /** A new connection fails: refused outright, or accepted and then dropped. */
  static void assertRefused(String host, int port) throws IOException {
    Socket socket;
    try {
      socket = open(host, port);
    } catch (IOException e) {
      return; // refused
    }
    try (socket) {
      assertDropped(socket);
    }
  }

  /** A port that nothing listens on: bound once, then closed. */
  static int closedPort() throws IOException {
    try (ServerSocket unused = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return unused.getLocalPort();
    }
  }
}
