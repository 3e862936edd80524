package dev.realtime.channel;

import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A subscription pattern over channel names, with the semantics of AMQP topic bindings: segments
 * are separated by {@code '.'}, the segment {@code *} matches exactly one segment and the segment
 * {@code #} matches zero or more. So {@code user.*} matches {@code user.1} but neither {@code user}
 * nor {@code user.1.x}; {@code user.#} matches all three; {@code #} matches every channel.
 *
 * <p>A wildcard is always a whole segment ({@code us*er} is invalid), and every other segment
 * follows the segment rules of {@link Channel}. Wildcards see a type prefix as part of the first
 * segment, so {@code *.1} matches {@code private-user.1} too.
 *
 * <p>Patterns are equal when their texts are equal.
 */
public final class ChannelPattern {
  private static final String ONE = "*";
  private static final String ANY = "#";

  private final String pattern;
  private final List<String> segments;
  private final boolean literal;

  private ChannelPattern(String pattern) {
    this.pattern = pattern;
    this.segments = List.of(pattern.split("\\.", -1));
    this.literal = !segments.contains(ONE) && !segments.contains(ANY);
  }

  /**
   * Returns the pattern written as {@code pattern}.
   *
   * @throws NullPointerException if {@code pattern} is null.
   * @throws InvalidChannelException if {@code pattern} is empty; has a {@code '*'} or {@code '#'}
   *     that is not a whole segment; or has a segment that breaks the segment rules of {@link
   *     Channel#of(String)}. The message names the first problem and its index.
   */
  public static ChannelPattern of(String pattern) {
    Objects.requireNonNull(pattern, "pattern == null");
    String problem = Channel.problem(pattern, true);
    if (problem != null) {
      throw new InvalidChannelException(
          pattern, "Invalid channel pattern " + Channel.quote(pattern) + ": " + problem);
    }
    return new ChannelPattern(pattern);
  }

  /**
   * Returns true if {@code text} has a {@code *} or {@code #} segment, so that it is meant as a
   * pattern rather than a channel name. Says nothing about whether {@code text} is valid.
   *
   * @throws NullPointerException if {@code text} is null.
   */
  public static boolean isPattern(String text) {
    Objects.requireNonNull(text, "text == null");
    for (String segment : text.split("\\.", -1)) {
      if (segment.equals(ONE) || segment.equals(ANY)) {
        return true;
      }
    }
    return false;
  }

  /** The pattern, exactly as given to {@link #of(String)}. */
  public String pattern() {
    return pattern;
  }

  /** True if this pattern has no wildcard, so it matches exactly the channel of its own name. */
  public boolean isLiteral() {
    return literal;
  }

  /**
   * Returns true if {@code channel} is one of the channels this pattern selects.
   *
   * @throws NullPointerException if {@code channel} is null.
   */
  public boolean matches(Channel channel) {
    Objects.requireNonNull(channel, "channel == null");
    List<String> names = channel.segments();
    int count = names.size();
    // reached[j]: the pattern segments seen so far can match the first j channel segments. One
    // pass per pattern segment keeps this O(pattern x channel) whatever the '#'s, where a
    // backtracking matcher can go exponential.
    boolean[] reached = new boolean[count + 1];
    reached[0] = true;
    for (String segment : segments) {
      boolean[] next = new boolean[count + 1];
      if (segment.equals(ANY)) {
        boolean any = false;
        for (int j = 0; j <= count; j++) {
          any |= reached[j];
          next[j] = any;
        }
      } else {
        for (int j = 0; j < count; j++) {
          next[j + 1] = reached[j] && (segment.equals(ONE) || segment.equals(names.get(j)));
        }
      }
      reached = next;
    }
    return reached[count];
  }

  /**
   * Returns a regex for the renderings of the channels this pattern matches, where a channel's
   * segments are rendered by {@code literal} and joined with text that {@code separator} matches,
   * and {@code segment} matches the rendering of any one valid segment. Each backend's {@link
   * ChannelNaming} supplies its own rendering and prepends its prefix: for implementing {@link
   * ChannelNaming#backendPattern}.
   *
   * @param segment a regex matching the rendering of any one valid segment
   * @param separator a regex matching what joins rendered segments
   * @param literal renders one segment of a channel name as the backend writes it
   */
  public String regex(String segment, String separator, UnaryOperator<String> literal) {
    String one = "(?:" + segment + ")";
    String more = "(?:" + separator + one + ")*";
    // A wildcard first segment must not stand for a bare type prefix: no channel has one.
    StringBuilder regex = new StringBuilder("(?!(?:private|presence)-(?:" + separator + "|\\z))");
    int first = 0;
    while (first < segments.size() && segments.get(first).equals(ANY)) {
      first++;
    }
    if (first == segments.size()) {
      // Only '#'s: any number of segments, but a channel has at least one.
      return regex.append(one).append(more).toString();
    }
    if (first > 0) {
      regex.append("(?:").append(one).append(separator).append(")*");
    }
    regex.append(render(segments.get(first), one, literal));
    boolean afterAny = false;
    for (int i = first + 1; i < segments.size(); i++) {
      String current = segments.get(i);
      if (current.equals(ANY)) {
        // "#.#" means "#"; repeating the group would only give the regex engine more to try.
        if (!afterAny) {
          regex.append(more);
        }
        afterAny = true;
      } else {
        regex.append(separator).append(render(current, one, literal));
        afterAny = false;
      }
    }
    return regex.toString();
  }

  private static String render(String segment, String one, UnaryOperator<String> literal) {
    return segment.equals(ONE) ? one : Pattern.quote(literal.apply(segment));
  }

  @Override
  public boolean equals(@Nullable Object other) {
    return other instanceof ChannelPattern && ((ChannelPattern) other).pattern.equals(pattern);
  }

  @Override
  public int hashCode() {
    return pattern.hashCode();
  }

  /** Returns the pattern text. */
  @Override
  public String toString() {
    return pattern;
  }
}
