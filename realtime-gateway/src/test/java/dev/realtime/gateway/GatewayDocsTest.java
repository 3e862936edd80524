package dev.realtime.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realtime.Realtime;
import dev.realtime.config.ConfigOption;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** docs/gateway.md: its examples are the ones run here, and its settings are the declared ones. */
class GatewayDocsTest {
  private static final Path DOCS = Path.of("..", "docs", "gateway.md");

  @RegisterExtension final GatewayNodes nodes = new GatewayNodes();

  @Test
  void theEmbeddingExampleStartsANodeWhoseBroadcastReachesABrowserOnAnotherNode()
      throws Exception {
    Gateway other = nodes.node();
    PusherSocket browser = nodes.socket(other);
    browser.established();
    browser.subscribed("orders.42");
    Realtime realtime = Realtime.builder().broker(nodes.broker()).build();

    // docs:start
    Gateway gateway = Gateway.builder()
        .broker(realtime.broker())  // events cross every node over this broker
        .app(PusherApp.of("my-app", "my-key", "my-secret"))
        .port(6001)
        .start();
    // A browser subscribed to orders.42 on any node receives this:
    realtime.broadcast("orders.42", "shipped", Map.of("order", 42)).toCompletableFuture().join();
    // docs:end

    try (gateway) {
      assertThat(PusherSocket.read(browser.awaitEvent("shipped", "orders.42").path("data")
          .asText()).path("order").asInt()).isEqualTo(42);
      assertThat(gateway.port()).isEqualTo(6001);
    }
    // The example's own channel and its node's channel, under this test's prefix.
    try (var broker = dev.realtime.Brokers.open(nodes.config())) {
      broker.admin().delete(dev.realtime.channel.Channel.of("orders.42"));
      broker.admin().delete(dev.realtime.channel.Channel.of("realtime-gateway.app-my-app"));
    }
  }

  @Test
  void theJavaBlockIsTheOneRunAbove() throws IOException {
    String source = Files.readString(Path.of("src", "test", "java", "dev", "realtime",
        "gateway", "GatewayDocsTest.java"));
    String tested = source.substring(source.indexOf("// docs:start") + "// docs:start".length(),
        source.indexOf("    // docs:end"));

    assertThat(block("java")).isEqualTo(dedent(tested));
  }

  @Test
  void theEchoBlockSetsNoOptionTheBrowserTestsPageDoesNotSet() throws IOException {
    String page = Files.readString(BrowserDriver.SOURCES.resolve("pusher-page.html"));
    Matcher options = Pattern.compile("^\\s+(\\w+)(:|,)", Pattern.MULTILINE)
        .matcher(block("js").substring(block("js").indexOf("new Echo(")));
    int found = 0;
    while (options.find()) {
      found++;
      assertThat(page).as("the test page sets " + options.group(1))
          .containsPattern("\\b" + options.group(1) + "\\b[:,]");
    }
    assertThat(found).isGreaterThan(8);
  }

  @Test
  void theRecoveryHelperIsTheOneTheBrowserTestsRun() throws IOException {
    String page = Files.readString(BrowserDriver.SOURCES.resolve("pusher-page.html"));
    Matcher helper = Pattern.compile("```js\n(const recoverable.*?)```", Pattern.DOTALL)
        .matcher(Files.readString(DOCS));
    assertThat(helper.find()).as("docs/gateway.md shows the recovery helper").isTrue();

    // The page's copy subscribes through its own recorder and names the client "client".
    for (String line : helper.group(1).lines().map(String::strip)
        .filter(line -> line.startsWith("channel.bind") || line.startsWith("pusher.send_event")
            || line.startsWith("let last"))
        .toList()) {
      assertThat(page).contains(line.replace("pusher.send_event", "client.send_event"));
    }
  }

  @Test
  void everyOptionIsDocumentedWithItsTypeDescriptionAndLaravelName() throws IOException {
    String docs = Files.readString(DOCS);
    for (ConfigOption<?> option : GatewayOptions.all()) {
      boolean constrained = option.min().isPresent() || option.max().isPresent();
      String aliases = option.environmentAliases().isEmpty() ? ""
          : " Also `" + String.join("`, `", option.environmentAliases()) + "`.";
      assertThat(docs).as("docs/gateway.md row for " + option.name())
          .contains("| `" + option.name() + "` | " + option.typeName() + " |")
          .contains(option.description() + (constrained ? " Allowed: " + option.allowed() + "."
              : "") + aliases + " |");
    }
  }

  /** The first fenced block of {@code language} in docs/gateway.md. */
  private static String block(String language) throws IOException {
    Matcher block = Pattern.compile("```" + language + "\n(.*?)```", Pattern.DOTALL)
        .matcher(Files.readString(DOCS));
    assertThat(block.find()).as("docs/gateway.md has a " + language + " block").isTrue();
    return block.group(1);
  }

  private static String dedent(String code) {
    return code.lines().filter(line -> !line.isBlank())
        .map(line -> line.startsWith("    ") ? line.substring(4) : line)
        .collect(Collectors.joining("\n", "", "\n"));
  }
}
