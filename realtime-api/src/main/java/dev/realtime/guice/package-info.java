/**
 * Guice integration: {@link dev.realtime.guice.RealtimeModule}. Guice is an optional dependency;
 * add {@code com.google.inject:guice} to use this package. Non-null unless stated.
 */
package dev.realtime.guice;
