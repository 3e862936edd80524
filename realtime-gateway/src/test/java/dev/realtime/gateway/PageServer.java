package dev.realtime.gateway;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * What a web application gives the browser: the test page with pusher-js and Laravel Echo, and
 * the auth endpoint that signs private and presence subscriptions, as Laravel's {@code
 * /broadcasting/auth} does (the user comes from the request, here a parameter the page sends).
 * {@code /broadcasting/forged} signs with another secret, as a page of another app would.
 */
final class PageServer implements AutoCloseable {
  private final HttpServer server;
  private final PusherApp app;

  PageServer(PusherApp app) throws IOException {
    this.app = app;
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/page.html", exchange -> file(exchange,
        BrowserDriver.file("pusher-page.html"), "text/html"));
    server.createContext("/pusher.min.js", exchange -> file(exchange,
        BrowserDriver.file("node_modules/pusher-js/dist/web/pusher.min.js"), "text/javascript"));
    server.createContext("/echo.iife.js", exchange -> file(exchange,
        BrowserDriver.file("node_modules/laravel-echo/dist/echo.iife.js"), "text/javascript"));
    server.createContext("/broadcasting/auth", exchange -> auth(exchange, app.secret()));
    server.createContext("/broadcasting/forged", exchange -> auth(exchange, "another-secret"));
    server.start();
  }

  /** The test page, for a gateway on {@code gatewayPort}, as {@code user}. */
  String page(int gatewayPort, String user) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/page.html?key=" + app.key()
        + "&port=" + gatewayPort + "&user=" + user;
  }

  /** The test page, its subscriptions signed by {@code authEndpoint}. */
  String page(int gatewayPort, String user, String authEndpoint) {
    return page(gatewayPort, user) + "&auth=" + authEndpoint;
  }

  private void auth(HttpExchange exchange, String secret) throws IOException {
    Map<String, String> form = form(new String(exchange.getRequestBody().readAllBytes(),
        StandardCharsets.UTF_8));
    String socketId = form.get("socket_id");
    String channel = form.get("channel_name");
    ObjectNode body = PusherSocket.JSON.createObjectNode();
    PusherApp signer = PusherApp.of(app.id(), app.key(), secret);
    try {
      if (channel.startsWith("presence-")) {
        ObjectNode member = PusherSocket.JSON.createObjectNode();
        member.put("user_id", form.get("user"));
        member.putObject("user_info").put("name", form.get("user"));
        String channelData = PusherSocket.JSON.writeValueAsString(member);
        body.put("auth", PusherHttp.presenceAuth(signer, socketId, channel, channelData));
        body.put("channel_data", channelData);
      } else {
        body.put("auth", PusherHttp.auth(signer, socketId, channel));
      }
    } catch (Exception e) {
      throw new IOException(e);
    }
    send(exchange, 200, "application/json",
        PusherSocket.JSON.writeValueAsBytes(body));
  }

  private static Map<String, String> form(String body) {
    Map<String, String> form = new HashMap<>();
    for (String pair : body.split("&")) {
      int equals = pair.indexOf('=');
      if (equals > 0) {
        form.put(URLDecoder.decode(pair.substring(0, equals), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
      }
    }
    return form;
  }

  private static void file(HttpExchange exchange, Path file, String type) throws IOException {
    send(exchange, 200, type, Files.readAllBytes(file));
  }

  private static void send(HttpExchange exchange, int status, String type, byte[] body)
      throws IOException {
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
