package dev.realtime.gateway.internal;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Socket ids in the form Pusher's server SDKs check ({@code \d+\.\d+}): a random number per
 * node, so ids of different nodes do not collide, and a counter. An id excludes a socket from an
 * event on every node, so it must be unique across them; it grants nothing by itself (a
 * subscription's signature binds it), so it need not be secret.
 */
public final class SocketIds {
  private final long node = ThreadLocalRandom.current().nextLong(1, 1L << 40);
  private final AtomicLong next = new AtomicLong();

  /** This node's number, which names it to the other nodes too. */
  public String node() {
    return Long.toString(node);
  }

  public String next() {
    return node + "." + next.incrementAndGet();
  }
}
