package dev.realtime.channel;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Backend names that are the channel name itself behind a fixed prefix and separator: Redis keys
 * ({@code realtime:user.1}) and RabbitMQ queue and exchange names ({@code realtime.user.1}).
 *
 * <p>Injective because the prefix and separator are the same for every channel and the channel name
 * follows them unchanged.
 */
final class PrefixedNaming implements ChannelNaming {
  static final String REDIS_PREFIX_KEY = "realtime.redis.key-prefix";
  static final String RABBITMQ_PREFIX_KEY = "realtime.rabbitmq.name-prefix";

  /** RabbitMQ's limit is 255 bytes of UTF-8; prefixes and channels are ASCII, one byte each. */
  private static final int RABBITMQ_MAX_LENGTH = 255;

  /** RabbitMQ refuses to declare queues and exchanges whose names start with this. */
  private static final String RABBITMQ_RESERVED = "amq.";

  /** One channel segment: runs of letters, digits and '-', joined by single '_'s. */
  private static final String SEGMENT = "[A-Za-z0-9-]+(?:_[A-Za-z0-9-]+)*";

  private static final String SEPARATOR = "\\.";

  private final String backend;
  private final String noun;
  private final String prefix;
  private final String prefixKey;
  private final String head;
  private final int maxLength;
  private final String reserved;

  private PrefixedNaming(
      String backend,
      String noun,
      String prefix,
      String separator,
      String prefixKey,
      int maxLength,
      String reserved) {
    this.backend = backend;
    this.noun = noun;
    this.prefix = prefix;
    this.prefixKey = prefixKey;
    this.head = prefix.isEmpty() ? "" : prefix + separator;
    this.maxLength = maxLength;
    this.reserved = reserved;
  }

  /**
   * Returns the Redis naming for {@code prefix}, the value of the configuration key {@code
   * prefixKey}.
   *
   * @throws IllegalArgumentException if {@code prefix} holds whitespace or a control character.
   */
  static PrefixedNaming redis(String prefix, String prefixKey) {
    Objects.requireNonNull(prefix, "prefix == null");
    Objects.requireNonNull(prefixKey, "prefixKey == null");
    for (int i = 0; i < prefix.length(); i++) {
      char c = prefix.charAt(i);
      // Keys with spaces need quoting in redis-cli and in every log line that shows them.
      if (Character.isWhitespace(c) || Character.isSpaceChar(c) || Character.isISOControl(c)) {
        throw new IllegalArgumentException(
            String.format(
                "Invalid Redis key prefix %s (%s): character %s at index %d is whitespace or a"
                    + " control character; remove it",
                Channel.quote(prefix), prefixKey, Channel.display(c), i));
      }
    }
    // Redis keys may be 512 MiB long: no channel ever reaches that.
    return new PrefixedNaming("Redis", "key", prefix, ":", prefixKey, Integer.MAX_VALUE, "");
  }

  /**
   * Returns the RabbitMQ naming for {@code prefix}, the value of the configuration key {@code
   * prefixKey}.
   *
   * @throws IllegalArgumentException if {@code prefix} holds anything but ASCII letters, digits,
   *     {@code '.'}, {@code '_'} and {@code '-'}; is {@code amq} or starts with {@code amq.}; or
   *     leaves no room for a channel in 255 characters.
   */
  static PrefixedNaming rabbitmq(String prefix, String prefixKey) {
    Objects.requireNonNull(prefix, "prefix == null");
    Objects.requireNonNull(prefixKey, "prefixKey == null");
    String invalid =
        String.format("Invalid RabbitMQ name prefix %s (%s): ", Channel.quote(prefix), prefixKey);
    for (int i = 0; i < prefix.length(); i++) {
      if (!Channel.isNameChar(prefix.charAt(i))) {
        throw new IllegalArgumentException(
            String.format(
                "%scharacter %s at index %d is not allowed; use letters, digits, '.', '_' and '-'",
                invalid, Channel.display(prefix.charAt(i)), i));
      }
    }
    if ((prefix + ".").startsWith(RABBITMQ_RESERVED)) {
      throw new IllegalArgumentException(
          String.format(
              "%sRabbitMQ reserves names starting with \"%s\"; choose another prefix",
              invalid, RABBITMQ_RESERVED));
    }
    // The '.' after the prefix and a one-character channel must still fit.
    int longest = RABBITMQ_MAX_LENGTH - 2;
    if (prefix.length() > longest) {
      throw new IllegalArgumentException(
          String.format(
              "%sit is %d characters; at most %d leave room for a channel in RabbitMQ's %d",
              invalid, prefix.length(), longest, RABBITMQ_MAX_LENGTH));
    }
    return new PrefixedNaming(
        "RabbitMQ",
        "name",
        prefix,
        ".",
        prefixKey,
        RABBITMQ_MAX_LENGTH,
        prefix.isEmpty() ? RABBITMQ_RESERVED : "");
  }

  @Override
  public String backendName(Channel channel) {
    Objects.requireNonNull(channel, "channel == null");
    String name = head + channel.name();
    if (name.length() > maxLength) {
      // Only a prefix makes this possible: a channel name alone fits every backend.
      throw new InvalidChannelException(
          channel.name(),
          String.format(
              "Channel %s maps to %s %s %s of %d characters; %s allows at most %d. Use a shorter"
                  + " channel name or a shorter %s prefix (%s).",
              Channel.quote(channel.name()),
              backend,
              noun,
              Channel.quote(name),
              name.length(),
              backend,
              maxLength,
              noun,
              prefixKey));
    }
    if (!reserved.isEmpty() && name.startsWith(reserved)) {
      throw new InvalidChannelException(
          channel.name(),
          String.format(
              "Channel %s maps to %s %s %s, but %s reserves names starting with \"%s\". Use another"
                  + " channel name or set a %s prefix (%s).",
              Channel.quote(channel.name()),
              backend,
              noun,
              Channel.quote(name),
              backend,
              reserved,
              noun,
              prefixKey));
    }
    return name;
  }

  @Override
  public Optional<Channel> channelOf(String backendName) {
    Objects.requireNonNull(backendName, "backendName == null");
    if (backendName.length() > maxLength
        || !backendName.startsWith(head)
        || (!reserved.isEmpty() && backendName.startsWith(reserved))) {
      return Optional.empty();
    }
    return Optional.ofNullable(Channel.parse(backendName.substring(head.length())));
  }

  @Override
  public Pattern backendPattern(ChannelPattern pattern) {
    Objects.requireNonNull(pattern, "pattern == null");
    String body = pattern.regex(SEGMENT, SEPARATOR, segment -> segment);
    String start = reserved.isEmpty() ? "" : "(?!" + Pattern.quote(reserved) + ")";
    return Pattern.compile(start + (head.isEmpty() ? body : Pattern.quote(head) + body));
  }

  @Override
  public int maxLength() {
    return maxLength;
  }

  @Override
  public String toString() {
    return "ChannelNaming." + backend.toLowerCase(Locale.ROOT) + "(" + Channel.quote(prefix) + ")";
  }
}
