package dev.realtime.testkit.process;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** Just enough RESP for the tests: one command, one reply, on a new connection. */
final class Resp {
  private Resp() {}

  /** Sends {@code arguments} as one command and returns the reply's text ({@code null}: nil). */
  static String call(int port, String... arguments) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      StringBuilder command = new StringBuilder("*").append(arguments.length).append("\r\n");
      for (String argument : arguments) {
        command.append('$').append(argument.getBytes(StandardCharsets.UTF_8).length)
            .append("\r\n").append(argument).append("\r\n");
      }
      socket.getOutputStream().write(command.toString().getBytes(StandardCharsets.UTF_8));
      return reply(socket.getInputStream());
    }
  }

  /** A simple reply as its line, a bulk string as its text, an array as lines of its items. */
  private static String reply(InputStream in) throws IOException {
    String line = line(in);
    if (line.startsWith("$")) {
      int length = Integer.parseInt(line.substring(1));
      return length < 0 ? null : new String(in.readNBytes(length + 2), StandardCharsets.UTF_8)
          .strip();
    }
    if (line.startsWith("*")) {
      StringBuilder items = new StringBuilder();
      for (int i = Integer.parseInt(line.substring(1)); i > 0; i--) {
        items.append(reply(in)).append(i > 1 ? "\n" : "");
      }
      return items.toString();
    }
    return line;
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b = in.read(); b != -1 && b != '\n'; b = in.read()) {
      if (b != '\r') {
        line.write(b);
      }
    }
    return line.toString(StandardCharsets.UTF_8);
  }
}
