package dev.realtime.kafka;

import dev.realtime.channel.Channel;
import dev.realtime.channel.ChannelNaming;
import dev.realtime.channel.ChannelPattern;
import dev.realtime.channel.InvalidChannelException;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Kafka topic names: {@code prefix + "_" + escape(name)}, where escaping writes {@code '.'} as
 * {@code '_'} and {@code '_'} as {@code "__"}.
 *
 * <p>Injective: the channel grammar allows {@code '_'} only between letters, digits and {@code
 * '-'}, so in the escaped name a single {@code '_'} can only be a {@code '.'} and a double one only
 * a {@code '_'}; decoding is unambiguous. The seed wrote both {@code '.'} and {@code '_'} as {@code
 * '_'}, which sent {@code user.1} and {@code user_1} to one topic.
 *
 * <p>Kafka's own limits: topic names of {@code [A-Za-z0-9._-]}, at most 249 characters, neither
 * {@code .} nor {@code ..}, and no two topics that differ only in {@code '.'} versus {@code '_'}
 * (their metric names collide). The escaped name never holds a {@code '.'}, so two of our topics
 * under one prefix can never differ only that way, and no topic is {@code .} or {@code ..}. Only
 * the length can fail, and {@link #backendName(Channel)} says so.
 */
final class KafkaTopicNaming implements ChannelNaming {
  static final int MAX_LENGTH = 249;

  /** One escaped segment: runs of letters, digits and '-', joined by the "__" that was '_'. */
  private static final String SEGMENT = "[A-Za-z0-9-]+(?:__[A-Za-z0-9-]+)*";

  /** A '.' of the channel: one '_', never the first of a "__". */
  private static final String SEPARATOR = "_(?!_)";

  private final String prefix;
  private final String prefixKey;
  private final String head;

  /**
   * Returns the naming for topics starting with {@code prefix}, the value of {@code
   * realtime.kafka.topic-prefix}.
   *
   * @throws IllegalArgumentException if {@code prefix} holds a character Kafka does not allow in a
   *     topic name, or leaves no room for a channel in 249 characters.
   */
  static KafkaTopicNaming of(String prefix) {
    return new KafkaTopicNaming(prefix, KafkaOptions.TOPIC_PREFIX.name());
  }

  /**
   * Creates the naming for topics starting with {@code prefix}, the value of the configuration key
   * {@code prefixKey} (which messages name when a prefix needs changing).
   *
   * @throws IllegalArgumentException if {@code prefix} holds a character Kafka does not allow in a
   *     topic name, or leaves no room for a channel in 249 characters.
   */
  KafkaTopicNaming(String prefix, String prefixKey) {
    Objects.requireNonNull(prefix, "prefix == null");
    this.prefixKey = Objects.requireNonNull(prefixKey, "prefixKey == null");
    String invalid =
        String.format("Invalid Kafka topic prefix %s (%s): ", quote(prefix), prefixKey);
    for (int i = 0; i < prefix.length(); i++) {
      if (!isTopicChar(prefix.charAt(i))) {
        throw new IllegalArgumentException(
            String.format(
                "%scharacter %s at index %d is not allowed in a topic name; use letters, digits,"
                    + " '.', '_' and '-'",
                invalid, display(prefix.charAt(i)), i));
      }
    }
    // The '_' after the prefix and a one-character channel must still fit.
    int longest = MAX_LENGTH - 2;
    if (prefix.length() > longest) {
      throw new IllegalArgumentException(
          String.format(
              "%sit is %d characters; at most %d leave room for a channel in Kafka's %d",
              invalid, prefix.length(), longest, MAX_LENGTH));
    }
    this.prefix = prefix;
    this.head = prefix.isEmpty() ? "" : prefix + "_";
  }

  @Override
  public String backendName(Channel channel) {
    Objects.requireNonNull(channel, "channel == null");
    String topic = head + escape(channel.name());
    if (topic.length() > MAX_LENGTH) {
      // Only a prefix makes this possible: an escaped channel is at most 245 characters.
      throw new InvalidChannelException(
          channel.name(),
          String.format(
              "Channel %s maps to Kafka topic %s of %d characters; Kafka allows at most %d. Use a"
                  + " shorter channel name or a shorter topic prefix (%s).",
              quote(channel.name()),
              quote(topic),
              topic.length(),
              MAX_LENGTH,
              prefixKey));
    }
    return topic;
  }

  @Override
  public Optional<Channel> channelOf(String backendName) {
    Objects.requireNonNull(backendName, "backendName == null");
    if (backendName.length() > MAX_LENGTH || !backendName.startsWith(head)) {
      return Optional.empty();
    }
    String escaped = backendName.substring(head.length());
    StringBuilder name = new StringBuilder(escaped.length());
    for (int i = 0; i < escaped.length(); ) {
      char c = escaped.charAt(i);
      if (c != '_') {
        name.append(c);
        i++;
        continue;
      }
      int run = 1;
      while (i + run < escaped.length() && escaped.charAt(i + run) == '_') {
        run++;
      }
      if (run > 2) {
        return Optional.empty();
      }
      name.append(run == 1 ? '.' : '_');
      i += run;
    }
    Channel channel;
    try {
      channel = Channel.of(name.toString());
    } catch (InvalidChannelException notOurs) {
      return Optional.empty(); // A topic made by hand, rare: no channel has that name.
    }
    // Escaping never writes a '.', yet decoding keeps one; only a round trip proves the name ours.
    if (!escape(channel.name()).equals(escaped)) {
      return Optional.empty();
    }
    return Optional.of(channel);
  }

  @Override
  public Pattern backendPattern(ChannelPattern pattern) {
    Objects.requireNonNull(pattern, "pattern == null");
    String body = pattern.regex(SEGMENT, SEPARATOR, KafkaTopicNaming::escape);
    return Pattern.compile(head.isEmpty() ? body : Pattern.quote(head) + body);
  }

  @Override
  public int maxLength() {
    return MAX_LENGTH;
  }

  @Override
  public String toString() {
    return "KafkaTopicNaming(" + quote(prefix) + ")";
  }

  /** Kafka's legal topic characters: ASCII letters, digits, '.', '_' and '-'. */
  private static boolean isTopicChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || c == '.' || c == '_' || c == '-';
  }

  /** Text in double quotes for a message, escaped unless printable ASCII: no forged lines. */
  private static String quote(String text) {
    StringBuilder quoted = new StringBuilder("\"");
    text.chars().forEach(c -> quoted.append(printable((char) c)));
    return quoted.append('"').toString();
  }

  /** A refused character in single quotes, escaped unless printable ASCII. */
  private static String display(char c) {
    return "'" + printable(c) + "'";
  }

  private static String printable(char c) {
    return c >= ' ' && c <= '~' ? String.valueOf(c) : String.format("\\u%04x", (int) c);
  }

  private static String escape(String name) {
    StringBuilder escaped = new StringBuilder(name.length() + 8);
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == '.') {
        escaped.append('_');
      } else if (c == '_') {
        escaped.append("__");
      } else {
        escaped.append(c);
      }
    }
    return escaped.toString();
  }
}
