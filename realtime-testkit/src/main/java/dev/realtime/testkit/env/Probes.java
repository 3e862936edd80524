package dev.realtime.testkit.env;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Asks a broker whether it answers, with the fewest bytes of its protocol and no client library,
 * so that the testkit does not depend on the adapters it tests. Public for the launchers of
 * {@link dev.realtime.testkit.process} only ({@link #redisAnswers}, {@link #amqpAnswers}): not
 * for use outside the testkit, may change at any time.
 */
public final class Probes {
  static final int CONNECT_TIMEOUT_MILLIS = 2_000;
  static final int READ_TIMEOUT_MILLIS = 3_000;

  /** The AMQP 0-9-1 protocol header: a client's first bytes. */
  private static final byte[] AMQP_0_9_1_HEADER = {'A', 'M', 'Q', 'P', 0, 0, 9, 1};
  /** The type of a method frame, the first byte of connection.start. */
  private static final int AMQP_METHOD_FRAME = 1;
  /** A reply longer than this is not the short status line we wait for. */
  private static final int MAX_REPLY_BYTES = 200;

  private Probes() {}

  /**
   * Checks that a Redis without a password answers {@code PING} at {@code host}:{@code port}.
   *
   * @throws IOException saying what went wrong, such as {@code Connection refused}
   */
  public static void redisAnswers(String host, int port) throws IOException {
    check(host, port, BrokerUri.parse("redis://" + host + ":" + port, BrokerKind.REDIS,
        "(a launched process)"), Probes::redisPing);
  }

  /**
   * Checks that an AMQP 0-9-1 broker answers the protocol header at {@code host}:{@code port}.
   *
   * @throws IOException saying what went wrong, such as {@code Connection refused}
   */
  public static void amqpAnswers(String host, int port) throws IOException {
    check(host, port, BrokerUri.parse("amqp://" + host + ":" + port + "/", BrokerKind.RABBITMQ,
        "(a launched process)"), Probes::amqpHeader);
  }

  /**
   * Connects to {@code host}:{@code port} and runs the probe.
   *
   * @throws IOException saying what went wrong, such as {@code Connection refused}
   */
  static void check(String host, int port, BrokerUri target, Probe probe) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MILLIS);
      socket.setSoTimeout(READ_TIMEOUT_MILLIS);
      probe.exchange(socket, target);
    }
  }

  /**
   * Sends {@code PING} (after {@code AUTH} when the URI has a password, since a server that
   * requires one answers PING with an error) and expects {@code +PONG}.
   */
  static void redisPing(Socket socket, BrokerUri target) throws IOException {
    OutputStream out = socket.getOutputStream();
    InputStream in = socket.getInputStream();
    if (!target.password().isEmpty()) {
      out.write(target.user().isEmpty()
          ? command("AUTH", target.password())
          : command("AUTH", target.user(), target.password()));
      out.flush();
      String reply = readLine(in);
      if (!reply.equals("+OK")) {
        throw new IOException("answered AUTH with " + shown(reply)
            + "; check the user name and password in the URI");
      }
    }
    out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
    out.flush();
    String reply = readLine(in);
    if (reply.startsWith("-NOAUTH")) {
      throw new IOException("answered PING with " + shown(reply)
          + "; put the password into the URI, as redis://:password@host:port");
    }
    if (!reply.equals("+PONG")) {
      throw new IOException("answered PING with " + shown(reply) + " instead of +PONG; is it "
          + "Redis?");
    }
  }

  /** Sends the AMQP 0-9-1 protocol header and expects connection.start, a method frame. */
  static void amqpHeader(Socket socket, BrokerUri target) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write(AMQP_0_9_1_HEADER);
    out.flush();
    int first = socket.getInputStream().read();
    if (first == -1) {
      throw new IOException("closed the connection without answering the AMQP 0-9-1 header");
    }
    if (first == 'A') {
      // A server answers a header it does not support with the one it does, then closes.
      throw new IOException("answered with its own protocol header: it does not speak AMQP "
          + "0-9-1");
    }
    if (first != AMQP_METHOD_FRAME) {
      throw new IOException(String.format("answered with byte 0x%02x instead of a method frame "
          + "(0x01); is it RabbitMQ?", first));
    }
  }

  /** A command in RESP, which unlike an inline command allows any byte in the arguments. */
  private static byte[] command(String... arguments) {
    StringBuilder resp = new StringBuilder("*").append(arguments.length).append("\r\n");
    for (String argument : arguments) {
      byte[] bytes = argument.getBytes(StandardCharsets.UTF_8);
      resp.append('$').append(bytes.length).append("\r\n").append(argument).append("\r\n");
    }
    return resp.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** Reads up to CRLF or the end of the stream, whichever comes first. */
  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != -1 && line.size() < MAX_REPLY_BYTES) {
      if (b == '\n') {
        break;
      }
      if (b != '\r') {
        line.write(b);
      }
    }
    if (b == -1 && line.size() == 0) {
      throw new IOException("closed the connection without answering");
    }
    return line.toString(StandardCharsets.ISO_8859_1);
  }

  /** The reply as it may be shown: control bytes escaped, so that a log line stays one line. */
  private static String shown(String reply) {
    StringBuilder shown = new StringBuilder();
    for (char c : reply.toCharArray()) {
      if (c < 0x20 || c > 0x7e) {
        shown.append(String.format("\\x%02x", (int) c));
      } else {
        shown.append(c);
      }
    }
    return shown.toString();
  }
}
