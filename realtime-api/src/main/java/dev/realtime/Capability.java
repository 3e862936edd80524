package dev.realtime;

/**
 * Something a broker adapter can do. Each adapter claims only what its broker really does; the
 * conformance suite runs the cases of every claimed capability and fails an adapter that claims
 * what it cannot do.
 */
public enum Capability {
  /** A message whose publish completed survives consumer restarts (and broker restarts). */
  PERSISTENCE,
  /** Past messages can be read again: {@link Broker#history} and subscriptions from earliest. */
  REPLAY,
  /** Named groups of competing consumers: each message goes to one member of each group. */
  CONSUMER_GROUPS,
  /** Messages with the same key on one channel are delivered in publish order. */
  ORDERING_PER_KEY,
  /** Subscriptions by pattern, such as {@code user.*}. */
  PATTERN_SUBSCRIBE,
  /** Messages that keep failing go to a dead-letter channel with the reason. */
  DEAD_LETTER,
  /** A completed publish means the broker has stored the message. */
  PUBLISHER_CONFIRMS,
  /** Channels drop messages older or larger than their retention setting. */
  RETENTION
}
