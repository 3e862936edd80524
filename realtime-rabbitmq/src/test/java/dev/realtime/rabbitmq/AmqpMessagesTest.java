package dev.realtime.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realtime.Message;
import dev.realtime.channel.Channel;
import dev.realtime.internal.Payloads;
import org.junit.jupiter.api.Test;

/** A delivery's body is its message's payload, uncopied. */
class AmqpMessagesTest {
  private static final Channel CHANNEL = Channel.of("orders.eu");

  @Test
  void aDeliveredBodyBecomesThePayloadWithoutACopy() {
    Message sent = Message.builder().channel(CHANNEL).event("e").payload(new byte[1024]).build();
    byte[] body = new byte[1024]; // amqp-client makes one per delivery.

    Publisher.Outgoing outgoing = AmqpMessages.outgoing(sent);
    Message received = AmqpMessages.toMessage(CHANNEL,
        outgoing.properties().headers(outgoing.headers()).build(), body, null, 1);

    assertThat(Payloads.shared(received)).isSameAs(body);
    assertThat(received.id()).isEqualTo(sent.id());
  }
}
