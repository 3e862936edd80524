package dev.realtime.redis;

import dev.realtime.config.ConfigurationException;
import dev.realtime.config.RealtimeConfig;
import io.lettuce.core.RedisURI;
import org.jspecify.annotations.Nullable;

/**
 * Where Redis is and how to log in: {@code realtime.redis.uri} with the user, password and TLS
 * settings laid over it. The password never leaves this class except inside the {@link
 * RedisURI} given to Lettuce; descriptions show the address only.
 */
final class RedisEndpoint {
  private RedisEndpoint() {}

  /**
   * @throws ConfigurationException if the URI cannot be read, naming the setting and the form
   */
  static RedisURI uri(RealtimeConfig config) {
    String text = config.get(RedisOptions.URI).trim();
    RedisURI uri;
    try {
      uri = RedisURI.create(text);
    } catch (RuntimeException e) {
      // Neither the text nor the parser's message is shown when the text holds credentials: a
      // password with a '/' or a space defeats any masking of a URI that does not parse.
      String shown = text.contains("@") ? "a value with credentials (not shown)"
          : "\"" + text + "\" (" + e.getMessage() + ")";
      throw new ConfigurationException(RedisOptions.URI.name() + " (or REDIS_URL) is " + shown
          + ", which is not a Redis URI. Write redis://[[user:]password@]host[:port][/database],"
          + " or rediss:// for TLS.");
    }
    String username = config.get(RedisOptions.USERNAME);
    String password = config.get(RedisOptions.PASSWORD);
    if (password.isEmpty() && !username.isEmpty()) {
      throw new ConfigurationException(RedisOptions.USERNAME.name() + " is set without "
          + RedisOptions.PASSWORD.name() + "; an ACL user needs both");
    }
    RedisURI.Builder builder = RedisURI.builder(uri);
    if (!password.isEmpty()) {
      // The URI's user stays when only a password is set here (redis://app@host + password).
      String user = username.isEmpty() ? userOf(text) : username;
      builder = user == null || user.isEmpty() ? builder.withPassword(password.toCharArray())
          : builder.withAuthentication(user, password.toCharArray());
    }
    boolean tls = uri.isSsl() || config.get(RedisOptions.TLS);
    builder = builder.withSsl(tls);
    if (tls) {
      builder = builder.withVerifyPeer(config.get(RedisOptions.TLS_VERIFY_PEER)
          ? io.lettuce.core.SslVerifyMode.FULL : io.lettuce.core.SslVerifyMode.NONE);
    }
    uri = builder.build();
    return uri;
  }

  /** The user of {@code redis://user:password@host}; null for {@code redis://password@host}. */
  private static @Nullable String userOf(String text) {
    try {
      String info = java.net.URI.create(text).getRawUserInfo();
      int colon = info == null ? -1 : info.indexOf(':');
      return colon <= 0 ? null : java.net.URLDecoder.decode(info.substring(0, colon),
          java.nio.charset.StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return null; // Lettuce read it; java.net.URI is stricter. No user then.
    }
  }

  /** The address for messages: {@code redis://host:port/db}, {@code rediss://} with TLS. */
  static String describe(RedisURI uri) {
    return (uri.isSsl() ? "rediss://" : "redis://") + uri.getHost() + ":" + uri.getPort()
        + (uri.getDatabase() == 0 ? "" : "/" + uri.getDatabase());
  }

  /**
   * The {@code redis_version} of INFO, or "(version unknown)": a user without the dangerous
   * INFO command (ACL) can still use the broker.
   */
  static String version(java.util.concurrent.CompletionStage<String> info,
      java.time.Duration timeout) {
    try {
      String reply = info.toCompletableFuture().get(timeout.toMillis(),
          java.util.concurrent.TimeUnit.MILLISECONDS);
      for (String line : reply.split("\r?\n")) {
        if (line.startsWith("redis_version:")) {
          return line.substring("redis_version:".length()).trim();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      // Falls through: the version is for people reading health details only.
    }
    return "(version unknown)";
  }
}
