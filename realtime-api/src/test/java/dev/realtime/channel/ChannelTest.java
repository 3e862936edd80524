package dev.realtime.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ChannelTest {
  @ParameterizedTest
  @ValueSource(
      strings = {
        "user.1",
        "public.news",
        "presence-chat.42",
        "private-user.1",
        "a-b.c_d",
        "a",
        "1",
        "-",
        "a.b.c.d.e.f",
        "user_1",
        "a_b_c",
        "a-_-b",
        "-.-",
        "private-_x",
        "private-a",
        "privatex",
        "presence-room",
        "x.private-"
      })
  void acceptsValidNames(String name) {
    Channel channel = Channel.of(name);
    assertThat(channel.name()).isEqualTo(name);
    assertThat(channel.toString()).isEqualTo(name);
  }

  @Test
  void accepts164Characters() {
    String name = "a".repeat(164);
    assertThat(Channel.of(name).name()).hasSize(164);
  }

  @Test
  void rejects165Characters() {
    String name = "a".repeat(165);
    assertThatThrownBy(() -> Channel.of(name))
        .isInstanceOf(InvalidChannelException.class)
        .hasMessage(
            "Invalid channel name \"%s\": it is 165 characters; at most 164 are allowed", name);
  }

  @Test
  void lengthMessageCutsLongNamesShort() {
    String name = "a".repeat(10_000);
    assertThatThrownBy(() -> Channel.of(name))
        .hasMessage(
            "Invalid channel name \"%s...\": it is 10000 characters; at most 164 are allowed",
            "a".repeat(500));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "``          | a channel name needs at least one character",
        "user 1      | character ' ' at index 4 is not allowed; use letters, digits, '.', '_' and"
            + " '-'",
        "user/1      | character '/' at index 4 is not allowed; use letters, digits, '.', '_' and"
            + " '-'",
        "user..1     | empty segment at index 5; segments are separated by a single '.'",
        ".user       | empty segment at index 0; remove the leading '.'",
        "user.       | empty segment at index 5; remove the trailing '.'",
        ".           | empty segment at index 0; remove the leading '.'",
        "user._1     | '_' at index 5 starts a segment; '_' may only stand between letters, digits"
            + " or '-'",
        "_user       | '_' at index 0 starts a segment; '_' may only stand between letters, digits"
            + " or '-'",
        "user_.1     | '_' at index 4 ends a segment; '_' may only stand between letters, digits"
            + " or '-'",
        "user_       | '_' at index 4 ends a segment; '_' may only stand between letters, digits"
            + " or '-'",
        "user__1     | \"__\" at index 4 is not allowed; use a single '_' instead",
        "private-    | a private- channel needs a name after the prefix, as in \"private-user.1\"",
        "private-.x  | a private- channel needs a name after the prefix, as in \"private-user.1\"",
        "presence-   | a presence- channel needs a name after the prefix, as in"
            + " \"presence-room.42\"",
        "presence-.x | a presence- channel needs a name after the prefix, as in"
            + " \"presence-room.42\"",
        "user.*      | character '*' at index 5 is not allowed; use letters, digits, '.', '_' and"
            + " '-' ('*' and '#' belong in a ChannelPattern)",
      })
  void namesTheBrokenRule(String name, String problem) {
    assertThatThrownBy(() -> Channel.of(name))
        .isInstanceOf(InvalidChannelException.class)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid channel name \"" + name + "\": " + problem)
        .extracting(e -> ((InvalidChannelException) e).channel())
        .isEqualTo(name);
  }

  @Test
  void reportsTheFirstProblem() {
    assertThatThrownBy(() -> Channel.of("a b..c_"))
        .hasMessageEndingWith(
            "character ' ' at index 1 is not allowed; use letters, digits, '.', '_' and '-'");
    assertThatThrownBy(() -> Channel.of("a..b c"))
        .hasMessageEndingWith("empty segment at index 2; segments are separated by a single '.'");
  }

  @Test
  void escapesCharactersThatAreNotPrintableAscii() {
    assertThatThrownBy(() -> Channel.of("caf\u00e9"))
        .hasMessage(
            "Invalid channel name \"caf\\u00e9\": character '\\u00e9' at index 3 is not"
                + " allowed; use letters, digits, '.', '_' and '-'");
    assertThatThrownBy(() -> Channel.of("a\nb"))
        .hasMessage(
            "Invalid channel name \"a\\u000ab\": character '\\u000a' at index 1 is not"
                + " allowed; use letters, digits, '.', '_' and '-'");
    assertThatThrownBy(() -> Channel.of("a\"b"))
        .hasMessageStartingWith("Invalid channel name \"a\\\"b\": character '\"' at index 1");
  }

  @Test
  void rejectsNull() {
    assertThatThrownBy(() -> Channel.of(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("name == null");
  }

  @Test
  void typeComesFromThePrefix() {
    assertThat(Channel.of("user.1").type()).isEqualTo(ChannelType.PUBLIC);
    assertThat(Channel.of("public.news").type()).isEqualTo(ChannelType.PUBLIC);
    assertThat(Channel.of("private-user.1").type()).isEqualTo(ChannelType.PRIVATE);
    assertThat(Channel.of("presence-chat.42").type()).isEqualTo(ChannelType.PRESENCE);
    assertThat(Channel.of("privateuser.1").type()).isEqualTo(ChannelType.PUBLIC);
    assertThat(Channel.of("user.private-1").type()).isEqualTo(ChannelType.PUBLIC);
  }

  @Test
  void segmentsSplitAtDots() {
    assertThat(Channel.of("user.1").segments()).containsExactly("user", "1");
    assertThat(Channel.of("news").segments()).containsExactly("news");
    assertThat(Channel.of("private-chat.1").segments()).containsExactly("private-chat", "1");
    assertThat(Channel.of("a_b.c-d.e").segments()).containsExactly("a_b", "c-d", "e");
  }

  @Test
  void segmentsAreImmutable() {
    List<String> segments = Channel.of("user.1").segments();
    assertThatThrownBy(() -> segments.add("x")).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void equalByName() {
    assertThat(Channel.of("user.1")).isEqualTo(Channel.of("user.1"));
    assertThat(Channel.of("user.1")).hasSameHashCodeAs(Channel.of("user.1"));
    assertThat(Channel.of("user.1")).isNotEqualTo(Channel.of("user_1"));
    assertThat(Channel.of("user.1")).isNotEqualTo("user.1");
  }

  @Test
  void sortsByName() {
    List<Channel> channels =
        new ArrayList<>(
            List.of(Channel.of("user.2"), Channel.of("public.news"), Channel.of("user.10")));
    Collections.sort(channels);
    assertThat(channels)
        .extracting(Channel::name)
        .containsExactly("public.news", "user.10", "user.2");
    assertThat(Channel.of("a").compareTo(Channel.of("a"))).isZero();
  }
}
