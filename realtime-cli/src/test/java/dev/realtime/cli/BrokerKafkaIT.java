package dev.realtime.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code realtime broker kafka}, as the README shows it: started in the foreground, used by
 * publish and consume through the line it prints, stopped by SIGTERM, started again on the same
 * data directory with the message still there.
 */
class BrokerKafkaIT {
  private static final Pattern EXPORT =
      Pattern.compile("(?m)^export REALTIME_KAFKA_BOOTSTRAP_SERVERS=(\\S+)$");

  private final Launcher realtime = Launcher.distribution();
  private final List<Launcher.Running> started = new ArrayList<>();

  @AfterEach
  void stopWhatIsLeft() {
    started.forEach(Launcher.Running::kill);
  }

  @Test
  void aBrokerThatKeepsItsDataAcrossRestartsAndStopsCleanlyOnSigterm(@TempDir Path dir)
      throws IOException {
    int port = freePort();
    Path data = dir.resolve("kafka");

    Launcher client = start(port, data);
    client.run("publish", "--channel=kept", "--event=note", "--data={\"n\":1}").exits(0);
    Launcher.Run consumed = client.run("consume", "--channels=kept", "--from=earliest",
        "--max-messages=1").exits(0);
    assertThat(consumed.stdout).contains("\"payload\":{\"n\":1}");
    stopLast(data);

    Launcher again = start(port, data);
    Launcher.Run history = again.run("history", "--channel=kept").exits(0);
    assertThat(history.lines()).as("the message published before the restart").hasSize(1);
    assertThat(history.stdout).contains("\"payload\":{\"n\":1}");
    stopLast(data);
  }

  @Test
  void aTakenPortIsOneSentence(@TempDir Path dir) throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      Launcher.Run run = realtime.run("broker", "kafka", "--port=" + taken.getLocalPort(),
          "--data-dir=" + dir).exits(Main.FAILED);
      assertThat(run.stderr).contains("port " + taken.getLocalPort() + " on 127.0.0.1 is taken")
          .contains("--port").doesNotContain("\tat ");
    }
  }

  /** Starts the broker and returns a launcher pointed at it by the lines it printed. */
  private Launcher start(int port, Path data) {
    Launcher.Running broker = realtime.start("broker", "kafka", "--port=" + port,
        "--data-dir=" + data);
    started.add(broker);
    await().atMost(Duration.ofSeconds(90)).until(() -> EXPORT.matcher(broker.stdoutSoFar())
        .find() || !broker.process.isAlive());
    Matcher export = EXPORT.matcher(broker.stdoutSoFar());
    assertThat(export.find()).as("the export line; stderr: %s", broker.stderrSoFar()).isTrue();
    assertThat(broker.stdoutSoFar()).contains("export REALTIME_BROKER=kafka");
    assertThat(export.group(1)).isEqualTo("127.0.0.1:" + port);
    return realtime.env("REALTIME_BROKER", "kafka")
        .env("REALTIME_KAFKA_BOOTSTRAP_SERVERS", export.group(1));
  }

  private void stopLast(Path data) {
    Launcher.Running broker = started.remove(started.size() - 1);
    broker.terminate();
    Launcher.Run stopped = broker.await(Duration.ofSeconds(60)).exits(0);
    assertThat(stopped.stdout).contains("stopped; data kept in " + data.toAbsolutePath());
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return socket.getLocalPort();
    }
  }
}
