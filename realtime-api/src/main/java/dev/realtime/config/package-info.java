/**
 * Configuration: declared options, layered sources with documented precedence, secrets masked.
 * Non-null unless stated.
 *
 * <p>Start with {@link dev.realtime.config.RealtimeConfig#load()}, read values with {@link
 * dev.realtime.config.RealtimeConfig#get(ConfigOption)}, and declare settings with the factories
 * on {@link dev.realtime.config.ConfigOption}. The core settings are in {@link
 * dev.realtime.config.RealtimeOptions}.
 */
package dev.realtime.config;
