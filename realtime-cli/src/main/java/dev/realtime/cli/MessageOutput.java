package dev.realtime.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.realtime.Message;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Writes messages to stdout, one per line, for {@code consume} and {@code history}.
 *
 * <p>{@code json} (the default) writes one JSON object per line, for {@code jq} and for programs:
 * {@code id, channel, event, key, position, timestamp, attempt, contentType, headers, payload}.
 * A JSON payload is embedded as JSON (re-written on one line, so that a pretty-printed payload
 * cannot break the line format); UTF-8 text as a string; anything else as base64, with {@code
 * "payloadEncoding":"base64"}. {@code text} writes {@code timestamp channel event payload} for
 * people.
 *
 * <p>One handler thread writes; the lock is for the end, when the main thread closes the output
 * while a handler the drain gave up on may still be writing: after {@link #close()} nothing is
 * written. {@link #flush()} returns whether stdout still takes output, so that a consumer piped
 * into {@code head} stops instead of acknowledging messages nobody saw.
 */
final class MessageOutput implements AutoCloseable {
  /** The formats of {@code --output}. */
  enum Format {
    JSON, TEXT;
  }

  /** Reads payloads exactly: no trailing text let through, decimals kept as written. */
  private static final ObjectMapper JSON = new ObjectMapper()
      .configure(JsonParser.Feature.INCLUDE_SOURCE_IN_LOCATION, false)
      .configure(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS,
          true)
      .configure(com.fasterxml.jackson.databind.DeserializationFeature
          .USE_BIG_DECIMAL_FOR_FLOATS, true)
      .setNodeFactory(com.fasterxml.jackson.databind.node.JsonNodeFactory
          .withExactBigDecimals(true));

  private final Format format;
  private final OutputStream out;
  private final JsonGenerator json;
  private boolean broken;
  private boolean closed;

  MessageOutput(Format format) {
    this(format, new FileOutputStream(FileDescriptor.out));
  }

  MessageOutput(Format format, OutputStream target) {
    this.format = format;
    this.out = new BufferedOutputStream(target, 1 << 16);
    try {
      this.json = new JsonFactory(JSON).createGenerator(out)
          .configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false)
          .configure(JsonGenerator.Feature.FLUSH_PASSED_TO_STREAM, false);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    json.setRootValueSeparator(null);
  }

  /** Writes {@code message} as one line (buffered until {@link #flush()}). */
  synchronized void write(Message message) {
    if (closed) {
      broken = true;
      return;
    }
    try {
      if (format == Format.JSON) {
        writeJson(message);
      } else {
        writeText(message);
      }
    } catch (IOException e) {
      broken = true;
    }
  }

  /**
   * Pushes what was written to stdout.
   *
   * @return false if stdout no longer takes output (a closed pipe)
   */
  synchronized boolean flush() {
    if (closed) {
      return false;
    }
    try {
      json.flush(); // Into out: FLUSH_PASSED_TO_STREAM is off, so that only this flush reaches
      out.flush(); // stdout, once per message handled rather than once per field.
    } catch (IOException e) {
      broken = true;
    }
    return !broken;
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      flush();
      closed = true;
    }
  }

  private void writeJson(Message message) throws IOException {
    json.writeStartObject();
    json.writeStringField("id", message.id());
    json.writeStringField("channel", message.channel().name());
    json.writeStringField("event", message.event());
    if (message.key() != null) {
      json.writeStringField("key", message.key());
    }
    if (message.position() != null) {
      json.writeStringField("position", message.position().value());
    }
    json.writeStringField("timestamp", message.timestamp().toString());
    json.writeNumberField("attempt", Math.max(1, message.deliveryAttempt()));
    json.writeStringField("contentType", message.contentType());
    if (!message.headers().isEmpty()) {
      json.writeObjectFieldStart("headers");
      for (Map.Entry<String, String> header : message.headers().entrySet()) {
        json.writeStringField(header.getKey(), header.getValue());
      }
      json.writeEndObject();
    }
    @Nullable JsonNode tree = isJson(message) ? parse(message.payload()) : null;
    @Nullable String text = tree == null ? utf8(message.payloadBuffer()) : null;
    if (tree != null) {
      json.writeFieldName("payload");
      json.writeTree(tree);
    } else if (text != null) {
      json.writeStringField("payload", text);
    } else {
      json.writeStringField("payload", Base64.getEncoder().encodeToString(message.payload()));
      json.writeStringField("payloadEncoding", "base64");
    }
    json.writeEndObject();
    json.writeRaw('\n');
  }

  private void writeText(Message message) throws IOException {
    @Nullable String payload = utf8(message.payloadBuffer());
    if (payload == null) {
      payload = "(" + message.payloadSize() + " bytes, base64) "
          + Base64.getEncoder().encodeToString(message.payload());
    }
    String line = message.timestamp() + "  " + message.channel().name() + "  " + message.event()
        + "  " + payload.replace('\n', ' ') + "\n";
    out.write(line.getBytes(StandardCharsets.UTF_8));
  }

  private static boolean isJson(Message message) {
    String type = message.contentType().toLowerCase(Locale.ROOT);
    return type.startsWith(Message.JSON) || type.endsWith("+json");
  }

  private static @Nullable JsonNode parse(byte[] payload) {
    try {
      JsonNode tree = JSON.readTree(payload);
      return tree == null || tree.isMissingNode() ? null : tree;
    } catch (IOException e) {
      return null; // Labelled JSON but is not: shown as text or base64 instead.
    }
  }

  private static @Nullable String utf8(ByteBuffer payload) {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(payload).toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
