package dev.realtime.cli;

import dev.realtime.channel.Channel;
import dev.realtime.channel.ChannelPattern;
import dev.realtime.config.ConfigOption;
import dev.realtime.config.ConfigurationException;
import dev.realtime.subscription.StartPosition;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * How the command line's words become values. Each converter checks its word the way the
 * library would later, so that a bad channel name or duration is a usage error (exit 2, with
 * the usage line) before anything is opened, rather than a failure halfway through.
 */
final class Converters {
  /**
   * Durations as in the settings ({@code 500ms}, {@code 10s}, {@code 5m}, ISO-8601), where a
   * bare number is milliseconds, as the seed's {@code --timeout=500} was. Parsed by a
   * duration option, so the command line and realtime.properties read durations alike.
   */
  private static final ConfigOption<Duration> DURATION = ConfigOption.duration(
      "realtime.cli.duration", null, "A duration on the command line.");
  private static final ConfigOption<Long> SIZE = ConfigOption.size(
      "realtime.cli.size", null, "A size on the command line.");

  private Converters() {}

  /** A channel name: {@code user.1}. */
  static final class ChannelName implements ITypeConverter<Channel> {
    @Override
    public Channel convert(String value) {
      try {
        return Channel.of(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }

  /** A channel name or a pattern: {@code user.1}, {@code user.*}, {@code audit.#}. */
  static final class ChannelOrPattern implements ITypeConverter<String> {
    @Override
    public String convert(String value) {
      // Any '*' or '#' means a pattern was meant, whole segment or not: "x.**" is a bad
      // pattern, and the error says what patterns allow rather than what names do.
      boolean pattern = value.indexOf('*') >= 0 || value.indexOf('#') >= 0;
      try {
        if (pattern) {
          ChannelPattern.of(value);
        } else {
          Channel.of(value);
        }
        return value;
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage() + (pattern ? ". In a pattern, '*' "
            + "stands for exactly one segment and '#' for any number, each a whole segment "
            + "between dots: user.*, audit.#, #" : ""));
      }
    }
  }

  /** Where reading starts: {@code earliest}, {@code latest}, a position, or an ISO time. */
  static final class Start implements ITypeConverter<StartPosition> {
    @Override
    public StartPosition convert(String value) {
      try {
        return StartPosition.parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }

  /** A duration; a bare number is milliseconds. */
  static final class Time implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      try {
        return duration(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }

  /**
   * Parses a duration as the settings do; a bare number is milliseconds.
   *
   * @throws IllegalArgumentException saying what is accepted
   */
  static Duration duration(String value) {
    try {
      return DURATION.parse(value);
    } catch (ConfigurationException e) {
      throw new IllegalArgumentException("'" + value + "' is not a duration: use 500ms, 10s, "
          + "5m, 2h, 1d, ISO-8601 (PT0.5S), or a number of milliseconds");
    }
  }

  /**
   * Parses a size in bytes as the settings do.
   *
   * @throws IllegalArgumentException saying what is accepted
   */
  static long size(String value) {
    try {
      return SIZE.parse(value);
    } catch (ConfigurationException e) {
      throw new IllegalArgumentException("'" + value + "' is not a size: use 100, 512KiB, "
          + "1MiB or 1MB");
    }
  }

  /** A size in bytes: {@code 100}, {@code 1KiB}, {@code 1MB}. */
  static final class Bytes implements ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
      try {
        return size(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }
}
