package dev.realtime.redis;

import dev.realtime.config.ConfigurationException;
import dev.realtime.config.RealtimeConfig;
import io.lettuce.core.RedisURI;
import org.jspecify.annotations.Nullable;

/**
 * Where Redis is and how to log in: {@code realtime.redis.uri} with the user, password and TLS
 * settings laid over it. The password never leaves this class except inside the {@link
 * RedisURI} given to Lettuce; descriptions show the address only.
 *
 * <p>Three forms: one server, {@code redis://host:port}; a Redis Cluster's seed nodes, {@code
 * redis://host1:port1,host2:port2} (each gets the URI's credentials, TLS and database; one node
 * of a cluster alone also works, {@link RedisNodes} asks it); and Sentinel, {@code
 * redis-sentinel://host1:26379,host2:26379#primary-name}, whose primary Lettuce looks up and
 * follows through failovers.
 */
final class RedisEndpoint {
  private RedisEndpoint() {}

  /**
   * @throws ConfigurationException if the URI cannot be read, naming the setting and the form
   */
  static RedisURI uri(RealtimeConfig config) {
    return uris(config).get(0);
  }

  /**
   * Every node the URI names: one, or a cluster's seeds.
   *
   * @throws ConfigurationException if the URI cannot be read, or a seed is not host:port
   */
  static java.util.List<RedisURI> uris(RealtimeConfig config) {
    RedisURI uri = parse(config);
    String host = uri.getHost();
    if (host == null || !host.contains(",")) {
      return java.util.List.of(uri);
    }
    // Lettuce reads redis://a:1,b:2 as one host "a:1,b:2" on port 6379: split it here.
    java.util.List<RedisURI> seeds = new java.util.ArrayList<>();
    for (String seed : host.split(",", -1)) {
      String address = seed.trim();
      int colon = address.lastIndexOf(':');
      String name = colon < 0 ? address : address.substring(0, colon);
      int port = RedisURI.DEFAULT_REDIS_PORT;
      boolean valid = !name.isEmpty();
      if (colon >= 0) {
        try {
          port = Integer.parseInt(address.substring(colon + 1));
          valid &= port > 0 && port < 65536;
        } catch (NumberFormatException e) {
          valid = false;
        }
      }
      if (!valid) {
        throw new ConfigurationException(RedisOptions.URI.name() + " (or REDIS_URL) names "
            + "the node \"" + address + "\", which is not host[:port]. Write a cluster's nodes as "
            + "redis://[[user:]password@]host1:port1,host2:port2.");
      }
      seeds.add(RedisURI.builder(uri).withHost(name).withPort(port).build());
    }
    return java.util.List.copyOf(seeds);
  }

  private static RedisURI parse(RealtimeConfig config) {
    // Spaces around a list's commas are for people reading it; Lettuce's parser refuses them.
    String text = config.get(RedisOptions.URI).trim().replaceAll("\\s*,\\s*", ",");
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
          + " rediss:// for TLS, redis://host1:port1,host2:port2 for a cluster, or "
          + "redis-sentinel://host1:port1,host2:port2#primary for Sentinel.");
    }
    String username = config.get(RedisOptions.USERNAME);
    String password = config.get(RedisOptions.PASSWORD);
    if (password.isEmpty() && !username.isEmpty()) {
      throw new ConfigurationException(RedisOptions.USERNAME.name() + " is set without "
          + RedisOptions.PASSWORD.name() + "; an ACL user needs both");
    }
    // Set on the parsed URI, not through RedisURI.builder(uri), which drops Sentinel's nodes.
    if (!password.isEmpty()) {
      // The URI's user stays when only a password is set here (redis://app@host + password).
      String user = username.isEmpty() ? userOf(text) : username;
      if (user != null && !user.isEmpty()) {
        uri.setUsername(user);
      }
      uri.setPassword(password.toCharArray());
    }
    boolean tls = uri.isSsl() || config.get(RedisOptions.TLS);
    uri.setSsl(tls);
    if (tls) {
      uri.setVerifyPeer(config.get(RedisOptions.TLS_VERIFY_PEER)
          ? io.lettuce.core.SslVerifyMode.FULL : io.lettuce.core.SslVerifyMode.NONE);
    }
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

  /**
   * The address for messages: {@code redis://host:port/db}, {@code rediss://} with TLS, every
   * seed of a cluster, Sentinel's nodes and primary name; never credentials.
   */
  static String describe(java.util.List<RedisURI> uris) {
    RedisURI first = uris.get(0);
    String database = first.getDatabase() == 0 ? "" : "/" + first.getDatabase();
    if (!first.getSentinels().isEmpty()) {
      return (first.isSsl() ? "rediss-sentinel://" : "redis-sentinel://")
          + first.getSentinels().stream().map(s -> s.getHost() + ":" + s.getPort())
              .collect(java.util.stream.Collectors.joining(",")) + database + "#"
          + first.getSentinelMasterId();
    }
    return (first.isSsl() ? "rediss://" : "redis://") + uris.stream()
        .map(u -> u.getHost() + ":" + u.getPort())
        .collect(java.util.stream.Collectors.joining(",")) + database;
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
