package dev.realtime.testkit.fault;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on {@code 127.0.0.1} that forwards every connection it accepts to one target, and
 * that a test can cut: point a client at {@link #host()}:{@link #port()} instead of the broker,
 * then call {@link #cut()} to make the network fail and {@link #restore()} to heal it.
 *
 * <p>While cut, every connection that was open is dropped on both sides with a reset, as a
 * broken network would, and new connections are accepted and reset at once, so a client sees
 * its connection fail rather than hang. The listening port stays bound throughout, so the
 * address a client was given stays valid after {@link #restore()}.
 *
 * <p>A connection the proxy accepts while the target does not answer is reset at once too: the
 * client sees the broker as down. Bytes are forwarded unchanged (TLS passes through), one daemon
 * thread per direction of each connection.
 *
 * <p>All methods are thread-safe and idempotent. After {@link #close()} the port is free again
 * and {@link #cut()} and {@link #restore()} do nothing.
 */
public final class FaultProxy implements AutoCloseable {
  /** Long enough for a loaded machine, short enough that a client does not wait minutes. */
  private static final int CONNECT_TIMEOUT_MILLIS = 5_000;

  private final String targetHost;
  private final int targetPort;
  private final ServerSocket server;
  private final Thread acceptor;
  private final AtomicInteger connectionNumbers = new AtomicInteger();
  /** Guards {@link #connections}, {@link #cut} and {@link #closed} together, see register. */
  private final Object lock = new Object();
  private final Set<ProxiedConnection> connections = new HashSet<>();
  private boolean cut;
  private boolean closed;

  private FaultProxy(String targetHost, int targetPort, ServerSocket server) {
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    this.server = server;
    this.acceptor = new Thread(this::acceptLoop, "fault-proxy-" + server.getLocalPort());
    this.acceptor.setDaemon(true);
  }

  /**
   * Starts a proxy on a free port of {@code 127.0.0.1} that forwards to {@code targetHost}:{@code
   * targetPort}. The target does not need to answer yet: it is connected to for each accepted
   * connection. Close the proxy when done, since its threads and port live until then.
   *
   * @throws IllegalArgumentException if the host is blank or the port is not 1 to 65535
   * @throws UncheckedIOException if no loopback port can be bound
   */
  public static FaultProxy start(String targetHost, int targetPort) {
    Objects.requireNonNull(targetHost, "targetHost == null");
    if (targetHost.isBlank()) {
      throw new IllegalArgumentException("targetHost is blank; give the broker's host, such as "
          + "127.0.0.1.");
    }
    if (targetPort < 1 || targetPort > 65_535) {
      throw new IllegalArgumentException("targetPort " + targetPort + " is not a TCP port; give "
          + "the broker's port, 1 to 65535.");
    }
    ServerSocket server;
    try {
      // Not getLoopbackAddress(): that is ::1 when the JVM prefers IPv6, and the brokers'
      // clients are given 127.0.0.1.
      server = new ServerSocket(0, 50, InetAddress.getByAddress(new byte[] {127, 0, 0, 1}));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot bind a port on the loopback interface for a fault "
          + "proxy to " + targetHost + ":" + targetPort + "; check that 127.0.0.1 is up.", e);
    }
    FaultProxy proxy = new FaultProxy(targetHost, targetPort, server);
    proxy.acceptor.start();
    return proxy;
  }

  /** Returns the host a client connects to: always {@code 127.0.0.1}. */
  public String host() {
    return server.getInetAddress().getHostAddress();
  }

  /** Returns the port a client connects to; the same from start to {@link #close()}. */
  public int port() {
    return server.getLocalPort();
  }

  /**
   * Drops every open connection, resetting both the client's and the target's side, and resets
   * every new connection at once, until {@link #restore()}. Does nothing if already cut or
   * closed. Returns once every connection that was open is closed.
   */
  public void cut() {
    List<ProxiedConnection> dropped;
    synchronized (lock) {
      if (closed) {
        return;
      }
      cut = true;
      dropped = new ArrayList<>(connections);
      connections.clear();
    }
    dropped.forEach(ProxiedConnection::close);
  }

  /**
   * Forwards new connections again after {@link #cut()}; connections dropped by the cut stay
   * dropped, so clients must reconnect. Does nothing if not cut or closed.
   */
  public void restore() {
    synchronized (lock) {
      cut = false;
    }
  }

  /** Returns true between {@link #cut()} and {@link #restore()}; false once closed. */
  public boolean isCut() {
    synchronized (lock) {
      return cut && !closed;
    }
  }

  /** Returns the number of connections being forwarded now. */
  public int openConnections() {
    synchronized (lock) {
      return connections.size();
    }
  }

  /**
   * Stops accepting, frees the port and drops every open connection, as {@link #cut()} does.
   * Does nothing if already closed.
   */
  @Override
  public void close() {
    List<ProxiedConnection> dropped;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      dropped = new ArrayList<>(connections);
      connections.clear();
    }
    Sockets.closeQuietly(server);
    awaitAcceptorExit();
    dropped.forEach(ProxiedConnection::close);
  }

  /**
   * Waits for the accept thread to leave {@code accept()}. The JDK's close of a server socket
   * that another thread is blocked on only signals that thread; the blocked call keeps the
   * listening socket open until it returns, so without this wait the port could still accept a
   * connection after {@link #close()} returned (it failed a full build once).
   */
  private void awaitAcceptorExit() {
    if (Thread.currentThread() == acceptor) {
      return;
    }
    try {
      acceptor.join(CONNECT_TIMEOUT_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Describes the route and the state, such as {@code FaultProxy[127.0.0.1:41234 -> ...]}. */
  @Override
  public String toString() {
    String state;
    synchronized (lock) {
      state = closed ? "closed" : cut ? "cut" : connections.size() + " open";
    }
    return "FaultProxy[" + host() + ":" + port() + " -> " + targetHost + ":" + targetPort + ", "
        + state + "]";
  }

  private void acceptLoop() {
    while (true) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        if (isClosed()) {
          return;
        }
        // A failed accept (such as too many open files) must not kill the proxy: the test is
        // about the broker's behaviour. The pause keeps a lasting failure from spinning a core.
        pauseAfterFailedAccept();
        continue;
      }
      if (isRefusing()) {
        Sockets.reset(client);
        continue;
      }
      // Connecting can take up to the timeout, so it runs off the accept thread: a target that
      // does not answer must not delay other clients, nor a cut.
      String name = "fault-proxy-" + port() + "-" + connectionNumbers.incrementAndGet();
      Thread connector = new Thread(() -> connect(client, name), name + "-connect");
      connector.setDaemon(true);
      connector.start();
    }
  }

  private void connect(Socket client, String name) {
    Socket upstream = new Socket();
    try {
      upstream.connect(new InetSocketAddress(targetHost, targetPort), CONNECT_TIMEOUT_MILLIS);
      client.setTcpNoDelay(true);
      // Brokers answer small requests; Nagle's delay would make every round trip slow.
      upstream.setTcpNoDelay(true);
    } catch (IOException e) {
      // The target is down: the client sees what it would see without the proxy, a failure.
      Sockets.reset(upstream);
      Sockets.reset(client);
      return;
    }
    ProxiedConnection connection = new ProxiedConnection(client, upstream, this::forget);
    if (!register(connection)) {
      connection.close();
      return;
    }
    connection.start(name);
  }

  /**
   * Adds the connection unless cut or closed, under the same lock as {@link #cut()}: a
   * connection accepted just before a cut is either dropped by the cut or refused here, never
   * left open behind it.
   */
  private boolean register(ProxiedConnection connection) {
    synchronized (lock) {
      if (cut || closed) {
        return false;
      }
      connections.add(connection);
      return true;
    }
  }

  private void forget(ProxiedConnection connection) {
    synchronized (lock) {
      connections.remove(connection);
    }
  }

  private static void pauseAfterFailedAccept() {
    try {
      Thread.sleep(10);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private boolean isRefusing() {
    synchronized (lock) {
      return cut || closed;
    }
  }

  private boolean isClosed() {
    synchronized (lock) {
      return closed;
    }
  }
}
