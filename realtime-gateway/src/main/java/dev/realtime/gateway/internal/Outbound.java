package dev.realtime.gateway.internal;

import dev.realtime.Message;
import java.util.Base64;
import java.util.Locale;

/**
 * What a browser receives as an event's {@code data}: the payload's text, since the Pusher
 * protocol carries text and pusher-js parses JSON text back into objects.
 */
final class Outbound {
  private Outbound() {}

  /**
   * The payload as text when its content type is JSON or text; any other payload (bytes the
   * protocol cannot carry) as base64.
   */
  static String data(Message message) {
    String type = message.contentType().toLowerCase(Locale.ROOT);
    if (type.startsWith("text/") || type.contains("json") || type.contains("xml")) {
      return message.payloadAsString();
    }
    return Base64.getEncoder().encodeToString(message.payload());
  }
}
