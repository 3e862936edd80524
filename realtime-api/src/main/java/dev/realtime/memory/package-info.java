/**
 * The in-memory broker ({@code realtime.broker=memory}): the embedded default and the reference
 * implementation of the semantics every adapter shares. Non-null unless stated.
 */
package dev.realtime.memory;
