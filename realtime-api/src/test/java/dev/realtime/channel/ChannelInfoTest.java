package dev.realtime.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ChannelInfoTest {
  @Test
  void aBrokerCanSayItDoesNotKnowTheCount() {
    ChannelInfo unknown = new ChannelInfo(Channel.of("a"), "a", 1, ChannelInfo.UNKNOWN, null,
        null, null, List.of());
    assertThat(unknown.isMessageCountKnown()).isFalse();
    assertThat(unknown.toString()).contains("messages=unknown");
    ChannelInfo empty = new ChannelInfo(Channel.of("a"), "a", 1, 0, null, null, null, List.of());
    assertThat(empty.isMessageCountKnown()).isTrue();
    assertThatThrownBy(() -> new ChannelInfo(Channel.of("a"), "a", 1, -2, null, null, null,
        List.of())).isInstanceOf(IllegalArgumentException.class);
  }
}
