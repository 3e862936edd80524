package dev.realtime.config;

import dev.realtime.RealtimeException;

/**
 * The one exception for every configuration error: a value that does not parse, a required
 * setting that is missing, an unknown key, or a properties file that cannot be read.
 *
 * <p>The message names the setting, where its value came from and how to fix it, for example
 * {@code Invalid value for realtime.kafka.linger=abc (from environment variable
 * REALTIME_KAFKA_LINGER). Must be a duration such as 500ms, 10s or PT0.5S.} It never contains a
 * secret: values of secret settings are shown as {@code ******}.
 */
public final class ConfigurationException extends RealtimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception whose message names the problem and the fix.
   *
   * @param message must not contain a secret value; mask it first
   */
  public ConfigurationException(String message) {
    super(message);
  }

  /**
   * Creates an exception whose message names the problem and the fix, caused by {@code cause}.
   *
   * @param message must not contain a secret value; mask it first
   * @param cause the underlying failure; its own message must not contain a secret either
   */
  public ConfigurationException(String message, Throwable cause) {
    super(message, cause);
  }
}
