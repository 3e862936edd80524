/**
 * Network faults for tests: {@link dev.realtime.testkit.fault.FaultProxy}, a TCP proxy on the
 * loopback interface that a test puts between a client and any broker, then cuts and restores.
 * Non-null unless stated.
 */
package dev.realtime.testkit.fault;
