package dev.realtime.testkit.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.MessageProperties;
import dev.realtime.testkit.env.Probes;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** One node for the whole story, since a start takes seconds. */
class RabbitMqProcessTest {
  @Test
  void nodeOfOnesOwnIsConfiguredKilledWithSigkillAndRestartedWithItsData() throws Exception {
    Optional<Long> shared = sharedNodeAnswers();
    Path directory;
    try (RabbitMqProcess rabbit = RabbitMqProcess.builder()
        .config("max_message_size = 1048576").start()) {
      directory = rabbit.directory();
      System.out.println("RabbitMQ node started in " + rabbit.startTime().toMillis() + " ms");
      assertThat(rabbit.nodeName()).matches("rt-[0-9a-f]{8}@localhost");
      assertThat(rabbit.rabbitmqctl("eval", "application:get_env(rabbit, max_message_size)."))
          .contains("{ok,1048576}");
      assertThat(rabbit.rabbitmqctl("eval", "os:getpid().")).contains("\"" + rabbit.pid() + "\"");
      assertThat(rabbit.rabbitmqctl("eval", "vm_memory_monitor:get_memory_limit()."))
          .contains("536870912");
      publishPersistent(rabbit, "kept", "across a kill");
      // The confirmed message is on disk; the queue's declaration may still be in Mnesia's
      // asynchronous log (1 run in 3 lost the queue): write it, as seconds of running would.
      rabbit.rabbitmqctl("eval", "mnesia:sync_log().");
      long beam = rabbit.pid();

      rabbit.kill();

      assertThat(rabbit.isRunning()).isFalse();
      assertThat(ProcessHandle.of(beam).filter(ProcessHandle::isAlive)).isEmpty();
      assertThatThrownBy(() -> new Socket("127.0.0.1", rabbit.port()).close())
          .isInstanceOf(IOException.class);
      int port = rabbit.port();

      rabbit.restart();

      System.out.println("RabbitMQ node restarted after kill -9 in "
          + rabbit.startTime().toMillis() + " ms");
      assertThat(rabbit.port()).isEqualTo(port);
      assertThat(rabbit.pid()).isNotEqualTo(beam);
      assertThat(get(rabbit, "kept")).isEqualTo("across a kill");

      assertThat(rabbit.stop()).isTrue();
      assertThat(rabbit.isRunning()).isFalse();
    }
    assertThat(directory).doesNotExist();
    assertThat(sharedNodeAnswers()).isEqualTo(shared);
  }

  @Test
  void aConfigurationLineTheNodeRefusesFailsTheStartWithItsOutput() {
    assertThatThrownBy(() -> RabbitMqProcess.builder().config("no_such_setting = 1").start())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("exited with code")
        .hasMessageContaining("no_such_setting");
  }

  @Test
  void badBuilderInputIsNamed() {
    assertThatThrownBy(() -> RabbitMqProcess.builder().memoryHighWatermark("half"))
        .hasMessageContaining("memoryHighWatermark half is not an amount");
    assertThatThrownBy(() -> RabbitMqProcess.builder().config("a = 1\nb = 2"))
        .hasMessageContaining("one line per call");
  }

  private static void publishPersistent(RabbitMqProcess rabbit, String queue, String body)
      throws Exception {
    try (Connection connection = connect(rabbit); Channel channel = connection.createChannel()) {
      channel.queueDeclare(queue, true, false, false, null);
      channel.confirmSelect();
      channel.basicPublish("", queue, MessageProperties.PERSISTENT_TEXT_PLAIN,
          body.getBytes(StandardCharsets.UTF_8));
      channel.waitForConfirmsOrDie(10_000);
    }
  }

  private static String get(RabbitMqProcess rabbit, String queue) throws Exception {
    try (Connection connection = connect(rabbit); Channel channel = connection.createChannel()) {
      GetResponse response = channel.basicGet(queue, true);
      return response == null ? null : new String(response.getBody(), StandardCharsets.UTF_8);
    }
  }

  private static Connection connect(RabbitMqProcess rabbit)
      throws IOException, TimeoutException {
    ConnectionFactory factory = new ConnectionFactory();
    try {
      factory.setUri(rabbit.uri());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return factory.newConnection();
  }

  /** The machine's shared node on 5672, if it answers: the port, to compare before and after. */
  private static Optional<Long> sharedNodeAnswers() {
    try {
      Probes.amqpAnswers("127.0.0.1", 5672);
      return Optional.of(5672L);
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
