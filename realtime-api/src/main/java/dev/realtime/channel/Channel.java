package dev.realtime.channel;

import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The name of a channel: where messages are published and what subscribers listen to, such as
 * {@code user.1}, {@code public.news} or {@code presence-chat.42}.
 *
 * <p>A name is 1 to 164 characters of ASCII letters, digits, {@code '.'}, {@code '_'} and {@code
 * '-'}. Dots separate its segments, and no segment is empty. An underscore stands only between
 * letters, digits or hyphens: never at the start or end of a segment, and never doubled. That rule
 * is what lets Kafka topic names spell {@code '.'} as {@code '_'} and {@code '_'} as {@code "__"}
 * without two channels ever sharing a topic (see {@link ChannelNaming}).
 *
 * <p>The prefixes {@code private-} and {@code presence-} mark the Pusher and Laravel channel types
 * (see {@link #type()}); a name must follow them.
 *
 * <p>Channels are equal when their names are equal, and they sort by name.
 */
public final class Channel implements Comparable<Channel> {
  /**
   * The longest name. Well below Kafka's 249-character topic limit, so that a topic prefix and the
   * doubled underscores fit for all but extreme names; {@link ChannelNaming} refuses those.
   */
  static final int MAX_LENGTH = 164;

  private static final String PRIVATE_PREFIX = "private-";
  private static final String PRESENCE_PREFIX = "presence-";
  private static final String UNDERSCORE_RULE = "'_' may only stand between letters, digits or '-'";
  private static final String NAME_CHARACTERS = "use letters, digits, '.', '_' and '-'";
  private static final String WILDCARD_RULE =
      "'*' and '#' must stand alone between '.', as in \"user.*\" or \"user.#\"";

  /**
   * Bounds the part of a rejected text that a message repeats, however long the text was. Long
   * enough for any backend name a valid prefix and channel make, so those are shown whole.
   */
  private static final int MAX_QUOTED_LENGTH = 500;

  private final String name;
  private final ChannelType type;
  // Split on first use: most channels are only published to, and the split was most of what
  // Channel.of allocated (240 of 264 bytes, L0 benchmark). An immutable list is safe to publish
  // racily, so two threads at worst split twice.
  private @Nullable List<String> segments;

  private Channel(String name) {
    this.name = name;
    if (name.startsWith(PRIVATE_PREFIX)) {
      this.type = ChannelType.PRIVATE;
    } else if (name.startsWith(PRESENCE_PREFIX)) {
      this.type = ChannelType.PRESENCE;
    } else {
      this.type = ChannelType.PUBLIC;
    }
  }

  /**
   * Returns the channel named {@code name}.
   *
   * @throws NullPointerException if {@code name} is null.
   * @throws InvalidChannelException if {@code name} is empty or longer than 164 characters; holds a
   *     character other than ASCII letters, digits, {@code '.'}, {@code '_'} and {@code '-'}; has
   *     an empty segment (it starts or ends with {@code '.'}, or holds {@code ".."}); has an {@code
   *     '_'} at the start or end of a segment or two in a row; or is {@code private-} or {@code
   *     presence-} with no name after the prefix. The message names the first problem and its
   *     index.
   */
  public static Channel of(String name) {
    Objects.requireNonNull(name, "name == null");
    String problem = problem(name, false);
    if (problem != null) {
      throw new InvalidChannelException(
          name, "Invalid channel name " + quote(name) + ": " + problem);
    }
    return new Channel(name);
  }

  /** Returns the channel named {@code name}, or null if {@code name} breaks the grammar. */
  static @Nullable Channel parse(String name) {
    return problem(name, false) == null ? new Channel(name) : null;
  }

  /** The name, exactly as given to {@link #of(String)}. */
  public String name() {
    return name;
  }

  /** The type that the name's prefix marks; {@link ChannelType#PUBLIC} without a prefix. */
  public ChannelType type() {
    return type;
  }

  /**
   * The segments of the name, split at each {@code '.'}: {@code [user, 1]} for {@code user.1}. A
   * type prefix stays part of the first segment ({@code [private-chat, 1]} for {@code
   * private-chat.1}), which is also how {@link ChannelPattern} sees the name. The list is immutable
   * and never empty.
   */
  public List<String> segments() {
    List<String> result = segments;
    if (result == null) {
      result = List.of(name.split("\\.", -1));
      segments = result;
    }
    return result;
  }

  /** Compares by name, in {@link String#compareTo(String)} order. */
  @Override
  public int compareTo(Channel other) {
    return name.compareTo(other.name);
  }

  @Override
  public boolean equals(@Nullable Object other) {
    return other instanceof Channel && ((Channel) other).name.equals(name);
  }

  @Override
  public int hashCode() {
    return name.hashCode();
  }

  /** Returns the name. */
  @Override
  public String toString() {
    return name;
  }

  /**
   * Returns the first way {@code text} breaks the grammar, as a sentence that names the index, the
   * rule and the fix; or null if it follows the grammar. With {@code wildcards}, a segment may also
   * be {@code *} or {@code #} (the pattern grammar) and the length is not limited, since a
   * pattern's {@code #} may stand for no segment at all.
   */
  static @Nullable String problem(String text, boolean wildcards) {
    int length = text.length();
    if (length == 0) {
      return wildcards
          ? "a pattern needs at least one segment"
          : "a channel name needs at least one character";
    }
    if (!wildcards && length > MAX_LENGTH) {
      return "it is " + length + " characters; at most " + MAX_LENGTH + " are allowed";
    }
    for (int i = 0; i < length; i++) {
      char c = text.charAt(i);
      // The start of the text behaves like the position after a separator.
      char previous = i == 0 ? '.' : text.charAt(i - 1);
      if (c == '.') {
        if (i == 0) {
          return "empty segment at index 0; remove the leading '.'";
        }
        if (previous == '.') {
          return "empty segment at index " + i + "; segments are separated by a single '.'";
        }
        if (previous == '_') {
          return "'_' at index " + (i - 1) + " ends a segment; " + UNDERSCORE_RULE;
        }
        if (endsWithTypePrefix(text, i)) {
          return typePrefixProblem(text);
        }
        if (i == length - 1) {
          return "empty segment at index " + length + "; remove the trailing '.'";
        }
      } else if (c == '_') {
        if (previous == '.') {
          return "'_' at index " + i + " starts a segment; " + UNDERSCORE_RULE;
        }
        if (previous == '_') {
          return "\"__\" at index " + (i - 1) + " is not allowed; use a single '_' instead";
        }
        if (i == length - 1) {
          return "'_' at index " + i + " ends a segment; " + UNDERSCORE_RULE;
        }
      } else if (wildcards && (c == '*' || c == '#')) {
        boolean whole = previous == '.' && (i == length - 1 || text.charAt(i + 1) == '.');
        if (!whole) {
          return "'" + c + "' at index " + i + " is not a whole segment; " + WILDCARD_RULE;
        }
      } else if (!isNameChar(c)) {
        // A wildcard in a channel name most likely means a pattern was meant.
        String rule =
            c == '*' || c == '#'
                ? NAME_CHARACTERS + " ('*' and '#' belong in a ChannelPattern)"
                : NAME_CHARACTERS;
        return "character " + display(c) + " at index " + i + " is not allowed; " + rule;
      }
    }
    return endsWithTypePrefix(text, length) ? typePrefixProblem(text) : null;
  }

  /** True if {@code c} may appear in a channel name. Backend prefixes share this set. */
  static boolean isNameChar(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '.'
        || c == '_'
        || c == '-';
  }

  /**
   * Returns {@code text} in double quotes for a message, with anything but printable ASCII escaped
   * (so a rejected name cannot forge log lines) and a very long text cut short.
   */
  static String quote(String text) {
    StringBuilder quoted = new StringBuilder("\"");
    int shown = Math.min(text.length(), MAX_QUOTED_LENGTH);
    for (int i = 0; i < shown; i++) {
      char c = text.charAt(i);
      if (c == '"' || c == '\\') {
        quoted.append('\\').append(c);
      } else {
        appendPrintable(quoted, c);
      }
    }
    if (shown < text.length()) {
      quoted.append("...");
    }
    return quoted.append('"').toString();
  }

  /** Returns {@code c} in single quotes for a message, escaped unless it is printable ASCII. */
  static String display(char c) {
    return appendPrintable(new StringBuilder("'"), c).append('\'').toString();
  }

  private static StringBuilder appendPrintable(StringBuilder out, char c) {
    if (c >= ' ' && c <= '~') {
      return out.append(c);
    }
    return out.append(String.format("\\u%04x", (int) c));
  }

  /** True if the first {@code end} characters of {@code text} are exactly a type prefix. */
  private static boolean endsWithTypePrefix(String text, int end) {
    return (end == PRIVATE_PREFIX.length() && text.startsWith(PRIVATE_PREFIX))
        || (end == PRESENCE_PREFIX.length() && text.startsWith(PRESENCE_PREFIX));
  }

  private static String typePrefixProblem(String text) {
    return text.startsWith(PRIVATE_PREFIX)
        ? "a private- channel needs a name after the prefix, as in \"private-user.1\""
        : "a presence- channel needs a name after the prefix, as in \"presence-room.42\"";
  }
}
