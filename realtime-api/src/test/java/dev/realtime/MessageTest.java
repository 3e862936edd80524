package dev.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MessageTest {
  @Test
  void idsAreUniqueAndSortInCreationOrder() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      ids.add(Message.builder().channel("a").event("e").build().id());
    }
    assertThat(new HashSet<>(ids)).hasSize(ids.size());
    assertThat(ids).isSorted();
    assertThat(ids.get(0)).matches("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
        + "[0-9a-f]{12}");
  }

  @Test
  void isImmutable() {
    byte[] bytes = {1, 2, 3};
    Message message = Message.builder().channel("a").event("e").payload(bytes)
        .headers(Map.of("h", "v")).build();
    bytes[0] = 9;
    message.payload()[1] = 9;

    assertThat(message.payload()).containsExactly(1, 2, 3);
    assertThatThrownBy(() -> message.headers().put("x", "y"))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThat(message.newBuilder().build().id()).isEqualTo(message.id());
  }

  @Test
  void toStringLeavesOutPayloadAndHeaderValues() {
    Message message = Message.builder().channel("a").event("e").payload("secret-payload")
        .header("authorization", "Bearer secret-token").build();

    assertThat(message.toString()).doesNotContain("secret").contains("authorization");
  }

  @Test
  void missingFieldsAreNamed() {
    assertThatThrownBy(() -> Message.builder().event("e").build())
        .hasMessageContaining("channel == null");
    assertThatThrownBy(() -> Message.builder().channel("a").build())
        .hasMessageContaining("event == null");
    assertThatThrownBy(() -> Message.builder().event(" "))
        .hasMessageContaining("event is blank");
  }
}
