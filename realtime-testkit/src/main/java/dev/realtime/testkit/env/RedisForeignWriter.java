package dev.realtime.testkit.env;

import dev.realtime.Brokers;
import dev.realtime.channel.Channel;
import dev.realtime.channel.ChannelNaming;
import dev.realtime.config.RealtimeConfig;
import dev.realtime.testkit.ForeignWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Writes stream entries with a bare {@code XADD} over RESP, as a Redis client that knows
 * nothing of the SDK would: the payload in the {@code payload} field, and of the SDK's other
 * fields ({@code id}, {@code event}, {@code time}, {@code content-type}) only what the form says.
 * The testkit does not depend on Lettuce, and a few bytes of RESP need no client.
 */
final class RedisForeignWriter implements ForeignWriter {
  private final BrokerUri uri;
  private final ChannelNaming naming;

  RedisForeignWriter(RealtimeConfig config) {
    this.uri = BrokerUri.parse(config.getString(BrokerKind.REDIS.uriKey()).orElseThrow(),
        BrokerKind.REDIS, "(the environment's settings)");
    // The adapter declares how it names keys; the writer writes where the adapter reads.
    this.naming = Brokers.provider("redis").naming(config).orElseThrow();
  }

  @Override
  public void write(Channel channel, Form form, byte[] payload) throws IOException {
    List<byte[]> xadd = new ArrayList<>();
    add(xadd, "XADD", naming.backendName(channel), "*");
    switch (form) {
      case NO_ENVELOPE:
        break;
      case PARTIAL_ENVELOPE:
        add(xadd, "event", "foreign.partial", "content-type", "application/json");
        break;
      case BAD_TIME:
        add(xadd, "id", UUID.randomUUID().toString(), "event", "foreign.bad-time", "time",
            "not-a-time", "content-type", "application/json");
        break;
      default:
        throw new IllegalArgumentException("form " + form);
    }
    add(xadd, "payload");
    xadd.add(payload);
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(uri.host(), uri.port()),
          Probes.CONNECT_TIMEOUT_MILLIS);
      socket.setSoTimeout(Probes.READ_TIMEOUT_MILLIS);
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      if (!uri.password().isEmpty()) {
        List<byte[]> auth = new ArrayList<>();
        add(auth, "AUTH");
        if (!uri.user().isEmpty()) {
          add(auth, uri.user());
        }
        add(auth, uri.password());
        send(out, in, auth, "AUTH");
      }
      String database = uri.path().replace("/", "");
      if (!database.isEmpty()) {
        List<byte[]> select = new ArrayList<>();
        add(select, "SELECT", database);
        send(out, in, select, "SELECT");
      }
      send(out, in, xadd, "XADD");
    }
  }

  private static void add(List<byte[]> command, String... arguments) {
    for (String argument : arguments) {
      command.add(argument.getBytes(StandardCharsets.UTF_8));
    }
  }

  /** Sends one command in RESP and fails on an error reply. */
  private static void send(OutputStream out, InputStream in, List<byte[]> command, String name)
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
    if (first != '+' && first != '$') {
      throw new IOException("Redis answered " + name + " with " + (char) first + line);
    }
  }
}
