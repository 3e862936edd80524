package dev.realtime.testkit.env;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a few Redis commands over RESP on a connection of their own, after {@code AUTH} and
 * {@code SELECT} as the URI says: the testkit does not depend on Lettuce, and a few bytes of RESP
 * need no client.
 */
final class RedisCommands {
  private RedisCommands() {}

  /** Runs {@code commands} in order; fails on the first error reply. */
  static void run(BrokerUri uri, List<List<byte[]>> commands) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(uri.host(), uri.port()),
          Probes.CONNECT_TIMEOUT_MILLIS);
      socket.setSoTimeout(Probes.READ_TIMEOUT_MILLIS);
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      if (!uri.password().isEmpty()) {
        List<byte[]> auth = new ArrayList<>();
        RedisForeignWriter.add(auth, "AUTH");
        if (!uri.user().isEmpty()) {
          RedisForeignWriter.add(auth, uri.user());
        }
        RedisForeignWriter.add(auth, uri.password());
        send(out, in, auth);
      }
      String database = uri.path().replace("/", "");
      if (!database.isEmpty()) {
        List<byte[]> select = new ArrayList<>();
        RedisForeignWriter.add(select, "SELECT", database);
        send(out, in, select);
      }
      for (List<byte[]> command : commands) {
        send(out, in, command);
      }
    }
  }

  /** Sends one command in RESP and fails on an error reply. */
  private static void send(OutputStream out, InputStream in, List<byte[]> command)
      throws IOException {
    ByteArrayOutputStream resp = new ByteArrayOutputStream();
    resp.writeBytes(("*" + command.size() + "\r\n").getBytes(StandardCharsets.US_ASCII));
    for (byte[] argument : command) {
      resp.writeBytes(("$" + argument.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
      resp.writeBytes(argument);
      resp.writeBytes(new byte[] {'\r', '\n'});
    }
    out.write(resp.toByteArray());
    out.flush();
    int first = in.read();
    StringBuilder line = new StringBuilder();
    for (int b = in.read(); b != -1 && b != '\n'; b = in.read()) {
      line.append((char) b);
    }
    // Simple strings, bulk strings and integers (DEL's count) are answers; '-' is an error.
    if (first != '+' && first != '$' && first != ':') {
      String name = new String(command.get(0), StandardCharsets.UTF_8);
      throw new IOException("Redis answered " + name + " with " + (char) first + line);
    }
  }
}
