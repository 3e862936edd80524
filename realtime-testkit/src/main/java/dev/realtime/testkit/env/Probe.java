package dev.realtime.testkit.env;

import java.io.IOException;
import java.net.Socket;

/** One exchange on a connected socket that succeeds only if a broker of the right kind answers. */
@FunctionalInterface
interface Probe {
  /**
   * Talks to the broker on {@code socket}, whose read timeout is already set.
   *
   * @throws IOException whose message, shown to people, says what the broker did instead; it
   *     must never carry the password
   */
  void exchange(Socket socket, BrokerUri target) throws IOException;
}
