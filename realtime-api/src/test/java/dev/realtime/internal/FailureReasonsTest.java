package dev.realtime.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** One wording of a failure's reason for every adapter. */
class FailureReasonsTest {
  @Test
  void futuresWrappersAndSilentExceptionsAreSeenThrough() {
    Exception root = new IllegalStateException("the stream is gone");
    assertThat(FailureReasons.of(new ExecutionException(new CompletionException(root))))
        .isEqualTo("the stream is gone");
    assertThat(FailureReasons.of(new RuntimeException((String) null, root)))
        .isEqualTo("the stream is gone");
    assertThat(FailureReasons.of(new TimeoutException())).isEqualTo("TimeoutException");
  }

  @Test
  void aCauseThatSaysWhyIsAddedOnce() {
    IOException unable = new IOException("Unable to connect to localhost:1",
        new ConnectException("Connection refused"));
    assertThat(FailureReasons.of(unable))
        .isEqualTo("Unable to connect to localhost:1 (Connection refused)");
    // Java writes a cause into the message when none is given: not twice.
    assertThat(FailureReasons.of(new RuntimeException(new ConnectException("refused"))))
        .isEqualTo("java.net.ConnectException: refused");
  }

  @Test
  void credentialsAreMasked() {
    assertThat(FailureReasons.of(new IOException("cannot reach amqp://app:s3cret@host:5672/")))
        .isEqualTo("cannot reach amqp://app:******@host:5672/");
  }
}
