/**
 * The realtime gateway: browsers on WebSocket, speaking the Pusher Channels protocol, and
 * producers on HTTP, fanned out across gateway nodes through any adapter. {@link
 * dev.realtime.gateway.Gateway} and {@link dev.realtime.gateway.PusherApp} are the public API;
 * Netty types never appear in it. Non-null unless stated.
 */
package dev.realtime.gateway;
