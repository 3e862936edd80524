package dev.realtime.testkit.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** docs/testkit.md's example of broker processes of one's own: the very code, and it runs. */
class ProcessesDocsTest {
  @Test
  void theDocsExampleIsTheCompiledOne() throws IOException {
    assertDocsExampleIsCompiledIn("Broker processes of your own", "ProcessesDocsTest.java");
  }

  /**
   * Asserts that the first Java block under the docs/testkit.md heading {@code section} is the
   * code between "// docs begin" and "// docs end" in {@code testFile} of this package.
   */
  static void assertDocsExampleIsCompiledIn(String section, String testFile)
      throws IOException {
    String docs = Files.readString(Path.of("..", "docs", "testkit.md"));
    Matcher block = Pattern.compile("## " + Pattern.quote(section) + ".*?```java\n(.*?)```",
        Pattern.DOTALL).matcher(docs);
    assertThat(block.find()).as("docs/testkit.md has the example under " + section).isTrue();
    String source = Files.readString(Path.of("src", "test", "java", "dev", "realtime", "testkit",
        "process", testFile));
    Matcher compiled = Pattern.compile("// docs begin\n(.*?)\n\\s*// docs end", Pattern.DOTALL)
        .matcher(source);
    assertThat(compiled.find()).isTrue();

    assertThat(compiled.group(1).lines().map(line -> line.replaceFirst("^    ", ""))
        .collect(Collectors.joining("\n"))).isEqualTo(block.group(1).stripTrailing());
  }

  @Test
  void theDocsExampleRuns() {
    // docs begin
    try (RedisProcess redis = RedisProcess.builder()
            .args("--appendonly", "yes", "--proto-max-bulk-len", "1mb").start();
        RabbitMqProcess rabbit = RabbitMqProcess.builder()
            .config("max_message_size = 1048576").start()) {
      String redisUri = redis.uri();    // redis://127.0.0.1:PORT
      String rabbitUri = rabbit.uri();  // amqp://guest:guest@127.0.0.1:PORT
      redis.kill();                     // SIGKILL
      redis.restart();                  // same port, same directory: append-only data is back
      rabbit.kill();                    // SIGKILL to the node's Erlang VM (rabbit.pid())
      rabbit.restart();                 // same node name, ports and data
      rabbit.rabbitmqctl("list_queues", "name", "messages");
    }
    // docs end
  }
}
