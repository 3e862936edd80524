package dev.realtime.channel;

import java.util.Objects;
import java.util.Optional;
import java.util.function.IntPredicate;
import java.util.regex.Pattern;

/**
 * Backend names that are the channel name itself behind a fixed prefix and separator, such as a
 * Redis key {@code realtime:user.1} or a RabbitMQ queue {@code realtime.user.1}: the naming an
 * adapter builds when its backend accepts channel names as they are. An adapter declares which
 * characters its prefix may hold, the longest name and any start its backend reserves; the
 * naming checks them and names the prefix's configuration key in every refusal.
 *
 * <pre>{@code
 * ChannelNaming naming = PrefixedNaming.builder("Redis", "key")
 *     .prefix(config.get(KEY_PREFIX), KEY_PREFIX.name())
 *     .separator(":")
 *     .build();
 * }</pre>
 *
 * <p>Injective because the prefix and separator are the same for every channel and the channel
 * name follows them unchanged.
 */
public final class PrefixedNaming implements ChannelNaming {
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

  private PrefixedNaming(Builder builder) {
    this.backend = builder.backend;
    this.noun = builder.noun;
    this.prefix = builder.prefix;
    this.prefixKey = builder.prefixKey;
    this.head = prefix.isEmpty() ? "" : prefix + builder.separator;
    this.maxLength = builder.maxLength;
    this.reserved = builder.reserved;
  }

  /**
   * Starts a naming for {@code backend}'s {@code noun}s, the words its messages use, such as
   * {@code "Redis"} and {@code "key"}.
   */
  public static Builder builder(String backend, String noun) {
    return new Builder(backend, noun);
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
    return "PrefixedNaming{" + backend + " " + noun + "s, prefix " + Channel.quote(prefix) + "}";
  }

  /** Assembles a {@link PrefixedNaming}; {@link #build()} checks the prefix. Not thread-safe. */
  public static final class Builder {
    private final String backend;
    private final String noun;
    private String prefix = "";
    private String prefixKey;
    private String separator = ".";
    private int maxLength = Integer.MAX_VALUE;
    private String reserved = "";
    private IntPredicate allowed = c -> true;
    private String allowedHint = "";

    private Builder(String backend, String noun) {
      this.backend = Objects.requireNonNull(backend, "backend == null");
      this.noun = Objects.requireNonNull(noun, "noun == null");
    }

    /**
     * The prefix, and the configuration key it comes from, such as {@code
     * realtime.redis.key-prefix}: every refusal names it. Empty by default: the name alone.
     */
    public Builder prefix(String prefix, String prefixKey) {
      this.prefix = Objects.requireNonNull(prefix, "prefix == null");
      this.prefixKey = Objects.requireNonNull(prefixKey, "prefixKey == null");
      return this;
    }

    /** What joins prefix and channel name, such as {@code ":"}; {@code "."} by default. */
    public Builder separator(String separator) {
      this.separator = Objects.requireNonNull(separator, "separator == null");
      return this;
    }

    /** The longest name the backend accepts; no limit by default. */
    public Builder maxLength(int maxLength) {
      if (maxLength < 1) {
        throw new IllegalArgumentException("maxLength is " + maxLength + "; it must be 1 or more");
      }
      this.maxLength = maxLength;
      return this;
    }

    /**
     * A start of names that the backend reserves, such as RabbitMQ's {@code amq.}: a prefix that
     * has it is refused, and so, with no prefix, is a channel whose name has it.
     */
    public Builder reserved(String start) {
      this.reserved = Objects.requireNonNull(start, "start == null");
      return this;
    }

    /**
     * The characters a prefix may hold, and how a refusal says so, such as {@code "use letters,
     * digits, '.', '_' and '-'"}. Any character by default.
     */
    public Builder prefixCharacters(IntPredicate allowed, String hint) {
      this.allowed = Objects.requireNonNull(allowed, "allowed == null");
      this.allowedHint = Objects.requireNonNull(hint, "hint == null");
      return this;
    }

    /**
     * Returns the naming.
     *
     * @throws IllegalArgumentException if the prefix holds a character that is not allowed, has
     *     the reserved start, or leaves no room for a channel within the longest name; the
     *     message names the prefix's key
     * @throws IllegalStateException if a prefix was given without its key
     */
    public PrefixedNaming build() {
      if (prefixKey == null) {
        throw new IllegalStateException("Call prefix(prefix, prefixKey): refusals name the key.");
      }
      String invalid = String.format("Invalid %s %s prefix %s (%s): ", backend, noun,
          Channel.quote(prefix), prefixKey);
      for (int i = 0; i < prefix.length(); i++) {
        if (!allowed.test(prefix.charAt(i))) {
          throw new IllegalArgumentException(String.format("%scharacter %s at index %d is not"
              + " allowed; %s", invalid, Channel.display(prefix.charAt(i)), i, allowedHint));
        }
      }
      if (!reserved.isEmpty() && !prefix.isEmpty() && (prefix + separator).startsWith(reserved)) {
        throw new IllegalArgumentException(String.format("%s%s reserves names starting with"
            + " \"%s\"; choose another prefix", invalid, backend, reserved));
      }
      // The separator and a one-character channel must still fit.
      long longest = (long) maxLength - separator.length() - 1;
      if (prefix.length() > longest) {
        throw new IllegalArgumentException(String.format("%sit is %d characters; at most %d"
            + " leave room for a channel in %s's %d", invalid, prefix.length(), longest, backend,
            maxLength));
      }
      return new PrefixedNaming(this);
    }
  }
}
