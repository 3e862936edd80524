package dev.realtime.gateway.internal;

import dev.realtime.gateway.PusherApp;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The Pusher HTTP API's request signature, as Pusher's server SDKs make it: the query's
 * parameters but {@code auth_signature}, keys in lower case and sorted, joined as {@code k=v&...};
 * the method, the path and that text on three lines; HMAC-SHA256 of it with the app secret. The
 * body is bound through {@code body_md5}, and {@code auth_timestamp} must be within ten minutes of
 * this node's clock, so a captured request cannot be replayed later.
 */
final class HttpApiAuth {
  static final long TIMESTAMP_WINDOW_SECONDS = 600;

  private HttpApiAuth() {}

  /**
   * Why the request is not signed by {@code app}, or null if it is.
   *
   * @param query the decoded query parameters
   */
  static @Nullable String problem(PusherApp app, String method, String path,
      Map<String, String> query, byte[] body, long nowSeconds) {
    String signature = query.get("auth_signature");
    if (signature == null || !query.containsKey("auth_key")
        || !query.containsKey("auth_timestamp")) {
      return "The request is not signed: auth_key, auth_timestamp and auth_signature are"
          + " required (Pusher's server SDKs add them)";
    }
    if (!app.key().equals(query.get("auth_key"))) {
      return "Unknown auth_key: it is not this app's key";
    }
    if (!"1.0".equals(query.getOrDefault("auth_version", "1.0"))) {
      return "Unsupported auth_version " + query.get("auth_version") + ": use 1.0";
    }
    long timestamp;
    try {
      timestamp = Long.parseLong(query.get("auth_timestamp"));
    } catch (NumberFormatException e) {
      return "auth_timestamp is not a number of seconds since the epoch";
    }
    if (Math.abs(nowSeconds - timestamp) > TIMESTAMP_WINDOW_SECONDS) {
      return "auth_timestamp is " + (nowSeconds - timestamp) + " s from this server's time;"
          + " at most " + TIMESTAMP_WINDOW_SECONDS + " s are allowed (check the clocks)";
    }
    if (body.length > 0 || query.containsKey("body_md5")) {
      String md5 = query.get("body_md5");
      if (md5 == null || !Signatures.matches(Signatures.md5Hex(body), md5)) {
        return "body_md5 is not the MD5 of the body";
      }
    }
    String expected = Signatures.hmacSha256Hex(app.secret(), stringToSign(method, path, query));
    if (!Signatures.matches(expected, signature)) {
      return "Invalid signature: auth_signature is not this request signed with the app's secret";
    }
    return null;
  }

  static String stringToSign(String method, String path, Map<String, String> query) {
    Map<String, String> sorted = new TreeMap<>();
    query.forEach((key, value) -> {
      if (!"auth_signature".equals(key)) {
        sorted.put(key.toLowerCase(java.util.Locale.ROOT), value);
      }
    });
    StringBuilder text = new StringBuilder(method).append('\n').append(path).append('\n');
    boolean first = true;
    for (Map.Entry<String, String> entry : sorted.entrySet()) {
      if (!first) {
        text.append('&');
      }
      first = false;
      text.append(entry.getKey()).append('=').append(entry.getValue());
    }
    return text.toString();
  }
}
