package dev.realtime.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class KeySuggestionsTest {
  private static final List<ConfigOption<?>> KNOWN = List.of(RealtimeOptions.BROKER,
      RealtimeOptions.PUBLISH_TIMEOUT,
      ConfigOption.prefix("realtime.kafka.producer.", "Producer settings."));

  @Test
  void levenshteinDistance() {
    assertThat(KeySuggestions.distance("", "")).isZero();
    assertThat(KeySuggestions.distance("abc", "")).isEqualTo(3);
    assertThat(KeySuggestions.distance("kitten", "sitting")).isEqualTo(3);
    assertThat(KeySuggestions.distance("broker", "brokr")).isEqualTo(1);
  }

  @Test
  void suggestsCloseNamesOnly() {
    assertThat(KeySuggestions.suggest("realtime.brokr", KNOWN)).isEqualTo("realtime.broker");
    assertThat(KeySuggestions.suggest("realtime.publish_timeot", KNOWN))
        .isEqualTo("realtime.publish-timeout");
    assertThat(KeySuggestions.suggest("broker", KNOWN)).isEqualTo("realtime.broker");
    assertThat(KeySuggestions.suggest("realtime.somethingelse", KNOWN)).isNull();
  }

  @Test
  void suggestionsUnderAPrefixKeepTheSubKey() {
    assertThat(KeySuggestions.suggest("realtime.kafka.producr.linger.ms", KNOWN))
        .isEqualTo("realtime.kafka.producer.linger.ms");
    assertThat(KeySuggestions.suggest("realtime.kafka.producr", KNOWN)).isNull();
  }
}
