package dev.realtime.benchmarks.chaos;

/**
 * One experiment on one broker, counted by message id. A count or time of -1 was not measured
 * in that experiment (shown as "-").
 *
 * @param published publishes attempted
 * @param confirmed publishes the broker confirmed
 * @param failed publishes that completed exceptionally
 * @param stored messages the broker held for the group once publishing ended, before anyone
 *     consumed; -1 where it cannot be read
 * @param received distinct ids any consumer's handler got
 * @param lost confirmed ids never received
 * @param duplicated handler deliveries beyond the first of each id
 * @param recoveryMillis the experiment's recovery time (see {@link Experiment})
 * @param shutdownMillis from SIGTERM to the member's exit
 * @param error why the experiment did not finish, or empty
 */
public record Row(String broker, Experiment experiment, int published, int confirmed, int failed,
    long stored, int received, int lost, int duplicated, long recoveryMillis,
    long shutdownMillis, String error) {

  static Row of(String broker, Experiment experiment, Ledger ledger, long stored,
      long recoveryMillis, long shutdownMillis) {
    return new Row(broker, experiment, ledger.published(), ledger.confirmed(), ledger.failed(),
        stored, ledger.received(), ledger.lost(), ledger.duplicated(), recoveryMillis,
        shutdownMillis, "");
  }

  static Row failed(String broker, Experiment experiment, String error) {
    return new Row(broker, experiment, 0, 0, 0, -1, 0, 0, 0, -1, -1, error);
  }
}
