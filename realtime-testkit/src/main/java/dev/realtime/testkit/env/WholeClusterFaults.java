package dev.realtime.testkit.env;

import dev.realtime.testkit.BrokerEnvironment;

/**
 * The fault hooks of an environment over a cluster of the testkit's own: a restart kills every
 * node and starts them again on their data, and cutting connections kills them until restored.
 * Killing one node is a cluster test's own business.
 */
abstract class WholeClusterFaults implements BrokerEnvironment {
  /** Kills every node with SIGKILL. */
  abstract void killAll();

  /** Starts every node that is not running; returns once the cluster serves. */
  abstract void startAll();

  @Override
  public boolean canRestart() {
    return true;
  }

  @Override
  public void restart() {
    killAll();
    startAll();
  }

  @Override
  public boolean canCutConnections() {
    return true;
  }

  @Override
  public void cutConnections() {
    killAll();
  }

  @Override
  public void restoreConnections() {
    startAll();
  }
}
