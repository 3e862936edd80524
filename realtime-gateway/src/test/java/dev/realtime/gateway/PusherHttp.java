package dev.realtime.gateway;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Pusher's HTTP API signing as its documentation describes it, written apart from the gateway's
 * own check so that a test compares two readings of the documentation (the browser tests check
 * against the real {@code pusher} npm package).
 */
final class PusherHttp {
  private static final HttpClient CLIENT = HttpClient.newHttpClient();

  private PusherHttp() {}

  /** POSTs {@code body} to {@code /apps/{id}/{endpoint}}, signed with {@code secret}. */
  static HttpResponse<String> post(int port, PusherApp app, String secret, String endpoint,
      String body, long timestamp) throws Exception {
    String path = "/apps/" + app.id() + "/" + endpoint;
    String md5 = HexFormat.of().formatHex(MessageDigest.getInstance("MD5")
        .digest(body.getBytes(StandardCharsets.UTF_8)));
    String query = "auth_key=" + app.key() + "&auth_timestamp=" + timestamp
        + "&auth_version=1.0&body_md5=" + md5;
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    String signature = HexFormat.of().formatHex(
        mac.doFinal(("POST\n" + path + "\n" + query).getBytes(StandardCharsets.UTF_8)));
    return CLIENT.send(HttpRequest.newBuilder(URI.create(
            "http://127.0.0.1:" + port + path + "?" + query + "&auth_signature=" + signature))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> post(int port, PusherApp app, String endpoint, String body)
      throws Exception {
    return post(port, app, app.secret(), endpoint, body, System.currentTimeMillis() / 1000);
  }

  /** GETs {@code /apps/{id}/{endpoint}}, signed; {@code query} is added to the signed query. */
  static HttpResponse<String> getSigned(int port, PusherApp app, String endpoint, String query)
      throws Exception {
    String path = "/apps/" + app.id() + "/" + endpoint;
    String params = "auth_key=" + app.key() + "&auth_timestamp="
        + System.currentTimeMillis() / 1000 + "&auth_version=1.0"
        + (query.isEmpty() ? "" : "&" + query);
    java.util.TreeMap<String, String> sorted = new java.util.TreeMap<>();
    for (String pair : params.split("&")) {
      sorted.put(pair.substring(0, pair.indexOf('=')), pair.substring(pair.indexOf('=') + 1));
    }
    StringBuilder signed = new StringBuilder();
    sorted.forEach((key, value) -> signed.append(signed.length() == 0 ? "" : "&")
        .append(key).append('=').append(value));
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(app.secret().getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    String signature = HexFormat.of().formatHex(
        mac.doFinal(("GET\n" + path + "\n" + signed).getBytes(StandardCharsets.UTF_8)));
    return get(port, path + "?" + params + "&auth_signature=" + signature);
  }

  /** POSTs JSON to {@code path}, with {@code Authorization: Bearer token} unless null. */
  static HttpResponse<String> postJson(int port, String path, String body, String token)
      throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + port + path))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> get(int port, String path) throws Exception {
    return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The auth an application's auth endpoint gives for a presence channel. */
  static String presenceAuth(PusherApp app, String socketId, String channel, String channelData)
      throws Exception {
    return auth(app, socketId, channel + ":" + channelData);
  }

  /** The auth an application's auth endpoint gives for a private channel. */
  static String auth(PusherApp app, String socketId, String channel) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(app.secret().getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return app.key() + ":" + HexFormat.of().formatHex(
        mac.doFinal((socketId + ":" + channel).getBytes(StandardCharsets.UTF_8)));
  }
}
