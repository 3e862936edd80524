package dev.realtime.testkit.env;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * Loopback ports for the environments' "unreachable broker" settings and for the broker
 * processes of {@link dev.realtime.testkit.process}. Public for those launchers only: not for
 * use outside the testkit, may change at any time.
 */
public final class Ports {
  private Ports() {}

  /**
   * Returns a loopback port where nothing listens: one the OS just gave out and that was closed
   * again. Another process could take it in between; the bad-input case only needs "very
   * probably nothing there", and a launcher that finds the port taken picks another.
   */
  public static int closedPort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("could not find a free loopback port", e);
    }
  }
}
