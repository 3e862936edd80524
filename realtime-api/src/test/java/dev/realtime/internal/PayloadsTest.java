package dev.realtime.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.realtime.Message;
import dev.realtime.channel.Channel;
import org.junit.jupiter.api.Test;

/** The adapters' copy-free way to a payload, beside the public API that copies. */
class PayloadsTest {
  private static final Channel CHANNEL = Channel.of("user.1");

  @Test
  void sharedIsTheMessagesOwnArrayWherePayloadIsACopy() {
    Message message = Message.builder().channel(CHANNEL).event("e").payload(new byte[] {1, 2})
        .build();

    assertThat(Payloads.shared(message)).isSameAs(Payloads.shared(message))
        .containsExactly(1, 2);
    assertThat(message.payload()).isNotSameAs(Payloads.shared(message)).containsExactly(1, 2);
  }

  @Test
  void anAdoptedArrayIsTheMessagesPayloadWhereTheBuildersPayloadCopies() {
    byte[] adopted = {1, 2, 3};
    byte[] given = {4, 5};

    Message shared = Payloads.adopt(Message.builder(), adopted).channel(CHANNEL).event("e")
        .build();
    Message copied = Message.builder().channel(CHANNEL).event("e").payload(given).build();
    given[0] = 9; // An application writing into its array after building: the message keeps 4.

    assertThat(Payloads.shared(shared)).isSameAs(adopted);
    assertThat(copied.payload()).containsExactly(4, 5);
    assertThat(Payloads.adopt(Message.builder(), new byte[0]).channel(CHANNEL).event("e").build()
        .payloadSize()).isZero();
  }

  @Test
  void onlyMessageInstallsTheAccess() {
    assertThatThrownBy(() -> Payloads.install(new Payloads.Access() {
      @Override
      public byte[] shared(Message message) {
        return new byte[0];
      }

      @Override
      public Message.Builder adopt(Message.Builder builder, byte[] payload) {
        return builder;
      }
    })).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("only dev.realtime.Message installs");
  }
}
