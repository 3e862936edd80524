package dev.realtime.testkit.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class RedisProcessTest {
  @Test
  void killedWithSigkillAndRestartedOnTheSamePortKeepsAppendOnlyData() throws IOException {
    Path directory;
    try (RedisProcess redis = RedisProcess.builder().args("--appendonly", "yes").start()) {
      directory = redis.directory();
      System.out.println("redis-server started in " + redis.startTime().toMillis() + " ms");
      assertThat(Resp.call(redis.port(), "PING")).isEqualTo("+PONG");
      assertThat(Resp.call(redis.port(), "SET", "kept", "across a kill")).isEqualTo("+OK");
      long pid = redis.pid();

      redis.kill();

      assertThat(redis.isRunning()).isFalse();
      assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();
      assertThatThrownBy(() -> new Socket("127.0.0.1", redis.port()).close())
          .isInstanceOf(IOException.class);
      int port = redis.port();

      redis.restart();

      System.out.println("redis-server restarted in " + redis.startTime().toMillis() + " ms");
      assertThat(redis.port()).isEqualTo(port);
      assertThat(redis.pid()).isNotEqualTo(pid);
      assertThat(Resp.call(redis.port(), "GET", "kept")).isEqualTo("across a kill");
    }
    assertThat(directory).doesNotExist();
  }

  @Test
  void extraArgumentsConfigureTheServer() throws IOException {
    try (RedisProcess redis = RedisProcess.builder().args("--proto-max-bulk-len", "1mb").start()) {
      assertThat(redis.uri()).isEqualTo("redis://127.0.0.1:" + redis.port());
      assertThat(Resp.call(redis.port(), "CONFIG", "GET", "proto-max-bulk-len"))
          .isEqualTo("proto-max-bulk-len\n1048576");
    }
  }

  @Test
  void stopEndsTheServerCleanlyAndCloseDeletesItsDirectory() {
    RedisProcess redis = RedisProcess.start();
    long pid = redis.pid();

    assertThat(redis.stop()).isTrue();

    assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();
    redis.close();
    assertThat(Files.exists(redis.directory())).isFalse();
    assertThatThrownBy(redis::restart).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("after close()");
  }

  @Test
  void aServerThatCannotStartFailsWithTheEndOfItsLog() {
    assertThatThrownBy(() -> RedisProcess.builder().args("--no-such-option", "1").start())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("exited with code")
        .hasMessageContaining("no-such-option");
  }

  @Test
  void aMissingExecutableIsNamedWithWhatToInstall() {
    assertThatThrownBy(() -> RedisProcess.builder().executable("no-such-redis-server").start())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no-such-redis-server is not on the PATH")
        .hasMessageContaining("install Redis");
  }
}
