package dev.realtime.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.realtime.Broker;
import dev.realtime.Brokers;
import dev.realtime.channel.Channel;
import dev.realtime.config.RealtimeConfig;
import dev.realtime.testkit.env.Environments;
import dev.realtime.testkit.env.ProxiedEnvironment;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code realtime gateway} from the distribution, over the machine's Redis. */
class GatewayLauncherIT {
  private static final Pattern LISTENING = Pattern.compile("gateway listening on \\S+:(\\d+)");
  private static ProxiedEnvironment redis;
  private static RealtimeConfig config;

  @BeforeAll
  static void start() {
    redis = Environments.redis();
    config = redis.config().newBuilder().set("realtime.redis.key-prefix",
        "gwcli" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36)).build();
  }

  @AfterAll
  static void stop() {
    // The nodes' channel the gateway made under this test's prefix.
    try (Broker broker = Brokers.open(config)) {
      broker.admin().delete(Channel.of("realtime-gateway.app-7"));
    } catch (RuntimeException e) {
      // Not made (the node did not start): nothing to delete.
    }
    redis.close();
  }

  private static Launcher realtime() {
    return BrokerLauncherContract.pointedAt(config)
        .env("REALTIME_GATEWAY_HOST", "127.0.0.1")
        .env("PUSHER_APP_ID", "7")
        .env("PUSHER_APP_KEY", "cli-key");
  }

  @Test
  void aNodeGreetsAPusherClientAndStopsCleanlyOnSigterm() throws Exception {
    Launcher.Running gateway = realtime().env("PUSHER_APP_SECRET", "cli-secret")
        .start("gateway", "--port=0");
    try {
      String[] port = new String[1];
      await().atMost(Duration.ofSeconds(60)).until(() -> {
        Matcher listening = LISTENING.matcher(gateway.stdoutSoFar());
        if (listening.find()) {
          port[0] = listening.group(1);
        }
        return port[0] != null || !gateway.process.isAlive();
      });
      assertThat(port[0]).as("stdout: %s%nstderr: %s", gateway.stdoutSoFar(),
          gateway.stderrSoFar()).isNotNull();

      CompletableFuture<String> first = new CompletableFuture<>();
      WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(
          URI.create("ws://127.0.0.1:" + port[0] + "/app/cli-key?protocol=7"),
          new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data,
                boolean last) {
              first.complete(data.toString());
              return null;
            }
          }).get(10, TimeUnit.SECONDS);
      assertThat(first.get(10, TimeUnit.SECONDS)).contains("pusher:connection_established");
      // The node's meters and the broker's (its announcements are publishes), in one registry.
      String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + port[0] + "/metrics")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      assertThat(metrics).contains("realtime_gateway_connections 1.0")
          .contains("realtime_published_total");
      socket.abort();

      gateway.terminate();
      Launcher.Run run = gateway.await(Duration.ofSeconds(30)).exits(0);
      assertThat(run.stdout).contains("for app key cli-key, over redis").contains("stopped");
      assertThat(run.stdout + run.stderr).doesNotContain("cli-secret");
    } finally {
      gateway.kill();
    }
  }

  @Test
  void withoutTheAppSecretItFailsNamingTheSettingAndItsLaravelName() {
    Launcher.Run run = realtime().run("gateway", "--port=0").exits(1);

    assertThat(run.stderr).contains("realtime.gateway.app-secret").contains("PUSHER_APP_SECRET");
  }
}
