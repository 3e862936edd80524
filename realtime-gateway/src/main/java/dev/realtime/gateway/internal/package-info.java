/**
 * The gateway's implementation: the Netty pipeline, the Pusher protocol per connection, the
 * node's channels and the HTTP API. Not for use outside this module.
 */
package dev.realtime.gateway.internal;
