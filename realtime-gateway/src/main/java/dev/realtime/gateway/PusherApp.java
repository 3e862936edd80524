package dev.realtime.gateway;

import java.util.Objects;

/**
 * The credentials of the one Pusher application a gateway serves: its id (in the HTTP API's
 * paths), its key (in the browsers' WebSocket URL and in every signature's prefix) and its
 * secret (which signs private and presence subscriptions and HTTP API calls). Immutable; the
 * secret never appears in {@link #toString()}.
 */
public final class PusherApp {
  private final String id;
  private final String key;
  private final String secret;

  private PusherApp(String id, String key, String secret) {
    this.id = requireText("id", id);
    this.key = requireText("key", key);
    this.secret = requireText("secret", secret);
  }

  /**
   * Returns the application {@code id} with {@code key} and {@code secret}, as a Pusher
   * dashboard or Laravel's {@code PUSHER_APP_ID}, {@code PUSHER_APP_KEY} and {@code
   * PUSHER_APP_SECRET} give them.
   *
   * @throws IllegalArgumentException if any is blank
   */
  public static PusherApp of(String id, String key, String secret) {
    return new PusherApp(id, key, secret);
  }

  /** The application id: {@code /apps/{id}/events} in the HTTP API. */
  public String id() {
    return id;
  }

  /** The public key: {@code /app/{key}} in the WebSocket URL. */
  public String key() {
    return key;
  }

  /** The secret that signs subscriptions and HTTP API calls. Never logged. */
  public String secret() {
    return secret;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof PusherApp
        && ((PusherApp) other).id.equals(id)
        && ((PusherApp) other).key.equals(key)
        && ((PusherApp) other).secret.equals(secret);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, key);
  }

  @Override
  public String toString() {
    return "PusherApp{id=" + id + ", key=" + key + ", secret=****}";
  }

  private static String requireText(String what, String value) {
    Objects.requireNonNull(value, "app " + what + " == null");
    if (value.isBlank()) {
      throw new IllegalArgumentException("The Pusher app " + what + " is blank: give the "
          + what + " your front end and server SDKs use (PUSHER_APP_" + what.toUpperCase()
          + " in Laravel)");
    }
    return value;
  }
}
