package dev.realtime.benchmarks.chaos;

/** The faults, in the order each broker goes through them, and what "recovery" means in each. */
public enum Experiment {
  MEMBER_KILL("member kill -9",
      "two group members in child JVMs share a backlog; one is killed with -9",
      "the survivor's stall: from the kill to its first receipt of a message the dead member "
          + "had received in the second before the kill (its unacknowledged work, handed over; "
          + "failing that, of any message it had received); both members have been receiving "
          + "for a second when the kill comes. \"-\": the survivor never got a message the "
          + "dead member's handler had seen (what it held unhandled, such as RabbitMQ's "
          + "prefetched messages, cannot be told apart from the survivor's own)"),
  SIGTERM("SIGTERM under backlog",
      "a group member in a child JVM takes a backlog and gets SIGTERM (the SDK's clean close); "
          + "a second member then drains the rest",
      "-"),
  BROKER_KILL("broker kill -9",
      "publishing with confirms at a steady rate; the broker is killed with -9 and restarted "
          + "after the outage; a group consumer then drains",
      "from the restarted broker answering to the first confirmed publish"),
  NETWORK_CUT("network cut",
      "a publisher and a group consumer, both through the fault proxy, while the proxy drops "
          + "every connection and refuses new ones for the outage",
      "from the network's return to the consumer's first receipt"),
  SIGTERM_BROKER_DOWN("SIGTERM, broker down",
      "a group member under backlog gets SIGTERM while its broker is killed; the broker is "
          + "restarted and a second member drains",
      "-");

  private final String label;
  private final String setup;
  private final String recovery;

  Experiment(String label, String setup, String recovery) {
    this.label = label;
    this.setup = setup;
    this.recovery = recovery;
  }

  /** The name {@code --experiment=} takes, such as {@code member-kill}. */
  public String id() {
    return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }

  public String label() {
    return label;
  }

  String setup() {
    return setup;
  }

  String recovery() {
    return recovery;
  }
}
