/**
 * Implementation details shared by the modules of realtime. Not for public use: anything here
 * may change at any time.
 */
package dev.realtime.internal;
