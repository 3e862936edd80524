/**
 * Channel names, patterns and the per-backend naming rules. Non-null unless stated.
 *
 * <p>A {@link dev.realtime.channel.Channel} is a validated name such as {@code user.1}; a {@link
 * dev.realtime.channel.ChannelPattern} such as {@code user.*} selects many; a {@link
 * dev.realtime.channel.ChannelNaming} turns channels into one backend's topic, key or queue names
 * and back.
 */
@NullMarked
package dev.realtime.channel;

import org.jspecify.annotations.NullMarked;
