package dev.realtime.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ChannelPatternTest {
  @Test
  void starMatchesExactlyOneSegment() {
    ChannelPattern pattern = ChannelPattern.of("user.*");
    assertThat(matches(pattern, "user.1")).isTrue();
    assertThat(matches(pattern, "user.2")).isTrue();
    assertThat(matches(pattern, "user.1.x")).isFalse();
    assertThat(matches(pattern, "user")).isFalse();
    assertThat(matches(pattern, "public.news")).isFalse();
  }

  @Test
  void hashMatchesZeroOrMoreSegments() {
    ChannelPattern pattern = ChannelPattern.of("user.#");
    assertThat(matches(pattern, "user")).isTrue();
    assertThat(matches(pattern, "user.1")).isTrue();
    assertThat(matches(pattern, "user.1.x")).isTrue();
    assertThat(matches(pattern, "users.1")).isFalse();
    assertThat(matches(pattern, "public.news")).isFalse();
  }

  @Test
  void hashAloneMatchesEverything() {
    ChannelPattern pattern = ChannelPattern.of("#");
    for (String name : new String[] {"a", "user.1", "private-chat.1", "a.b.c.d", "x_y-z"}) {
      assertThat(matches(pattern, name)).as(name).isTrue();
    }
  }

  @Test
  void starFirst() {
    ChannelPattern pattern = ChannelPattern.of("*.news");
    assertThat(matches(pattern, "public.news")).isTrue();
    assertThat(matches(pattern, "private-x.news")).isTrue();
    assertThat(matches(pattern, "news")).isFalse();
    assertThat(matches(pattern, "a.b.news")).isFalse();
    assertThat(matches(pattern, "public.news.x")).isFalse();
  }

  @Test
  void hashInTheMiddle() {
    ChannelPattern pattern = ChannelPattern.of("a.#.z");
    assertThat(matches(pattern, "a.z")).isTrue();
    assertThat(matches(pattern, "a.b.z")).isTrue();
    assertThat(matches(pattern, "a.b.c.z")).isTrue();
    assertThat(matches(pattern, "a.z.y")).isFalse();
    assertThat(matches(pattern, "a")).isFalse();
  }

  @Test
  void manyHashesStayFast() {
    ChannelPattern pattern = ChannelPattern.of("#.a.#.a.#.a.#.a.#.a.#.a.#.a.#.a.#.b");
    Channel channel = Channel.of("a" + ".a".repeat(80));
    long start = System.nanoTime();
    assertThat(pattern.matches(channel)).isFalse();
    assertThat(System.nanoTime() - start).isLessThan(1_000_000_000L);
  }

  @Test
  void literalPatternMatchesOnlyItself() {
    ChannelPattern pattern = ChannelPattern.of("user.1");
    assertThat(pattern.isLiteral()).isTrue();
    assertThat(matches(pattern, "user.1")).isTrue();
    assertThat(matches(pattern, "user.10")).isFalse();
    assertThat(matches(pattern, "user_1")).isFalse();
    assertThat(ChannelPattern.of("user.*").isLiteral()).isFalse();
    assertThat(ChannelPattern.of("#").isLiteral()).isFalse();
  }

  @Test
  void isPatternLooksForWildcardSegments() {
    assertThat(ChannelPattern.isPattern("user.*")).isTrue();
    assertThat(ChannelPattern.isPattern("#")).isTrue();
    assertThat(ChannelPattern.isPattern("a.#.b")).isTrue();
    assertThat(ChannelPattern.isPattern("user.1")).isFalse();
    assertThat(ChannelPattern.isPattern("us*er")).isFalse();
    assertThat(ChannelPattern.isPattern("")).isFalse();
  }

  @Test
  void valueSemantics() {
    ChannelPattern pattern = ChannelPattern.of("user.*");
    assertThat(pattern.pattern()).isEqualTo("user.*");
    assertThat(pattern).hasToString("user.*");
    assertThat(pattern).isEqualTo(ChannelPattern.of("user.*"));
    assertThat(pattern).hasSameHashCodeAs(ChannelPattern.of("user.*"));
    assertThat(pattern).isNotEqualTo(ChannelPattern.of("user.#"));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "``         | a pattern needs at least one segment",
        "us*er      | '*' at index 2 is not a whole segment; '*' and '#' must stand alone between"
            + " '.', as in \"user.*\" or \"user.#\"",
        "user.#x    | '#' at index 5 is not a whole segment; '*' and '#' must stand alone between"
            + " '.', as in \"user.*\" or \"user.#\"",
        "**         | '*' at index 0 is not a whole segment; '*' and '#' must stand alone between"
            + " '.', as in \"user.*\" or \"user.#\"",
        "user..*    | empty segment at index 5; segments are separated by a single '.'",
        "user.*.    | empty segment at index 7; remove the trailing '.'",
        ".#         | empty segment at index 0; remove the leading '.'",
        "user 1.*   | character ' ' at index 4 is not allowed; use letters, digits, '.', '_' and"
            + " '-'",
        "_a.*       | '_' at index 0 starts a segment; '_' may only stand between letters, digits"
            + " or '-'",
        "a__b.#     | \"__\" at index 1 is not allowed; use a single '_' instead",
        "private-.* | a private- channel needs a name after the prefix, as in \"private-user.1\"",
      })
  void namesTheBrokenRule(String pattern, String problem) {
    assertThatThrownBy(() -> ChannelPattern.of(pattern))
        .isInstanceOf(InvalidChannelException.class)
        .hasMessage("Invalid channel pattern \"" + pattern + "\": " + problem)
        .extracting(e -> ((InvalidChannelException) e).channel())
        .isEqualTo(pattern);
  }

  @Test
  void rejectsNull() {
    assertThatThrownBy(() -> ChannelPattern.of(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("pattern == null");
    assertThatThrownBy(() -> ChannelPattern.of("#").matches(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("channel == null");
  }

  private static boolean matches(ChannelPattern pattern, String channel) {
    return pattern.matches(Channel.of(channel));
  }
}
