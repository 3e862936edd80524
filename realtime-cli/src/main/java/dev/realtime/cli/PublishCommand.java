package dev.realtime.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.realtime.Broker;
import dev.realtime.Brokers;
import dev.realtime.Message;
import dev.realtime.PublishReceipt;
import dev.realtime.channel.Channel;
import dev.realtime.metrics.RealtimeMetrics;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code realtime publish}: one message from the options, JSON lines from stdin, or generated
 * load. Publishes are pipelined, at most {@code --in-flight} unconfirmed at a time, and each
 * counts as published only once the broker confirmed it. The summary gives the rate and the
 * publish-to-confirm latency; any failure makes the exit code 1, with the first reason.
 */
@Command(name = "publish", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
    description = {"Publish one message, JSON lines from stdin, or generated load.",
        "",
        "A line from stdin is {\"channel\":..., \"event\":..., \"data\":..., \"key\":..., "
            + "\"headers\":{...}}; --channel and --event are the defaults for lines that leave "
            + "them out. Each published message's id and position go to stdout (one JSON line "
            + "each), except with --count."},
    footer = {"",
        "Examples:",
        "  realtime publish --channel=user.1 --event=notification --data='{\"title\":\"x\"}'",
        "  printf '{\"data\":{\"n\":1}}\\n{\"channel\":\"user.2\",\"data\":{\"n\":2}}\\n' \\",
        "    | realtime publish --channel=user.1 --event=notification",
        "  realtime publish --channel=load.test --count=100000 --size=100"})
final class PublishCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @ParentCommand
  private RealtimeCommand root;

  @Spec
  private CommandSpec spec;

  @Option(names = "--channel", paramLabel = "CHANNEL", converter = Converters.ChannelName.class,
      description = "The channel; required unless every stdin line names one.")
  private @Nullable Channel channel;

  @Option(names = "--event", defaultValue = "message", paramLabel = "EVENT",
      description = "The event name. Default: ${DEFAULT-VALUE}.")
  private String event;

  @Option(names = "--data", paramLabel = "PAYLOAD",
      description = "Publish one message with this payload: JSON if it parses as JSON (sent as "
          + "application/json), else text (text/plain).")
  private @Nullable String data;

  @Option(names = "--key", paramLabel = "KEY",
      description = "Ordering key: messages with the same key keep their order.")
  private @Nullable String key;

  @Option(names = "--header", paramLabel = "NAME=VALUE", description = "A header; repeatable.")
  private Map<String, String> headers = new LinkedHashMap<>();

  @Option(names = "--count", paramLabel = "N",
      description = "Publish N generated messages (load), with a progress bar on a terminal.")
  private @Nullable Long count;

  @Option(names = "--size", defaultValue = "100", paramLabel = "BYTES",
      converter = Converters.Bytes.class,
      description = "Payload size of generated messages (JSON, padded). Default: "
          + "${DEFAULT-VALUE}.")
  private long size;

  @Option(names = "--in-flight", defaultValue = "1000", paramLabel = "N",
      description = "Most publishes awaiting their confirmation. Default: ${DEFAULT-VALUE}.")
  private int inFlight;

  @Option(names = "--failed-to", paramLabel = "FILE",
      description = "Write every stdin line that was not published to FILE (created or "
          + "replaced), as it was, for re-sending: realtime publish [same options] < FILE.")
  private @Nullable Path failedTo;

  private final CountDownLatch stop = new CountDownLatch(1);
  private final AtomicLong confirmed = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicReference<Throwable> firstFailure = new AtomicReference<>();
  private final Histogram latency = new ConcurrentHistogram(TimeUnit.MINUTES.toNanos(5), 3);
  private @Nullable Semaphore window;
  private @Nullable IllegalArgumentException badLine;
  /** stdin lines after a bad one, copied to --failed-to unpublished. */
  private long linesAfterBad;
  /** --failed-to, open while lines are published; written from the client's threads. */
  private @Nullable BufferedWriter failedLines;
  /**
   * Prints receipts in the order confirms come, off the client's I/O thread (Lettuce's event
   * loop, Kafka's sender), which a slow stdout must not hold up.
   */
  private final java.util.concurrent.ExecutorService receipts =
      java.util.concurrent.Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "realtime-receipts");
        thread.setDaemon(true);
        return thread;
      });

  @Override
  public Integer call() throws InterruptedException, IOException {
    checkOptions();
    Signals.onStop(stop::countDown);
    PrintStream err = System.err;
    Semaphore permits = new Semaphore(inFlight);
    window = permits;
    long started = System.nanoTime();
    long attempted;
    if (failedTo != null) {
      failedLines = Files.newBufferedWriter(failedTo, StandardCharsets.UTF_8);
    }
    try (Broker broker = Brokers.open(root.config(), RealtimeMetrics.NOOP)) {
      if (count != null) {
        attempted = publishGenerated(broker, count, err);
      } else if (data != null) {
        attempted = 1;
        send(broker, message(channel, event, key, headers, payload(data)), true, null);
      } else {
        attempted = publishLines(broker, err);
      }
      permits.acquire(inFlight); // Every publish confirmed or failed.
    } finally {
      if (failedLines != null) {
        synchronized (failedLines) {
          failedLines.close();
        }
      }
    }
    long elapsed = System.nanoTime() - started;
    receipts.shutdown();
    receipts.awaitTermination(10, TimeUnit.SECONDS);
    err.println(summary(attempted, elapsed));
    Throwable failure = firstFailure.get();
    if (failure != null) {
      err.println("realtime: " + failed.get() + " of " + attempted + " publishes failed; the "
          + "first because: " + Main.sentence(failure));
    }
    if (badLine != null) {
      err.println("realtime: " + badLine.getMessage() + "; the lines before it were "
          + "published, none after it" + (failedTo == null ? "" : " (it and the "
          + linesAfterBad + " after it are in " + failedTo + ")"));
    }
    if (failure != null || badLine != null) {
      if (count == null && data == null) {
        err.println(failedTo != null ? "realtime: the lines not published are in " + failedTo
            + "; fix what the reasons above say, then re-send them: realtime publish "
            + "[the same options] < " + failedTo
            : "realtime: give --failed-to=FILE to collect the lines not published, for "
            + "re-sending");
      }
      return Main.FAILED;
    }
    return 0;
  }

  private void checkOptions() {
    if (inFlight < 1) {
      throw new ParameterException(spec.commandLine(), "--in-flight must be at least 1");
    }
    if (count != null && data != null) {
      throw new ParameterException(spec.commandLine(),
          "--count and --data exclude each other: generate load, or publish one message");
    }
    if ((count != null || data != null) && channel == null) {
      throw new ParameterException(spec.commandLine(),
          "--channel is required with " + (count != null ? "--count" : "--data"));
    }
    if ((count != null || data != null) && failedTo != null) {
      throw new ParameterException(spec.commandLine(), "--failed-to collects stdin lines; "
          + "it does not go with " + (count != null ? "--count" : "--data"));
    }
    if (count != null && count < 0) {
      throw new ParameterException(spec.commandLine(), "--count must not be negative");
    }
  }

  private long publishGenerated(Broker broker, long total, PrintStream err)
      throws InterruptedException {
    ProgressBar progress = ProgressBar.forStderr(total);
    long sent = 0;
    while (sent < total && stop.getCount() > 0) {
      sent++;
      send(broker, message(channel, event, key, headers, generated(sent, size)), false, null);
      progress.show(confirmed.get() + failed.get());
    }
    progress.done(confirmed.get() + failed.get());
    return sent;
  }

  private long publishLines(Broker broker, PrintStream err)
      throws IOException, InterruptedException {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in,
        StandardCharsets.UTF_8));
    long number = 0;
    long sent = 0;
    for (String line = in.readLine(); line != null && stop.getCount() > 0;
        line = in.readLine()) {
      number++;
      if (line.isBlank()) {
        continue;
      }
      Message message;
      try {
        message = parseLine(line);
      } catch (IllegalArgumentException e) {
        // What went before is published (and confirmed below); nothing after it is.
        // Counted as neither attempted nor failed: it was never a message.
        badLine = new IllegalArgumentException("stdin line " + number + ": " + e.getMessage());
        if (failedLines != null) {
          // It and what follows it go to --failed-to as they are: fixed there, the file is
          // the whole rest of the input to re-send.
          notPublished(line);
          for (String rest = in.readLine(); rest != null; rest = in.readLine()) {
            notPublished(rest);
            linesAfterBad++;
          }
        }
        break;
      }
      send(broker, message, true, new Line(number, line));
      sent++;
    }
    return sent;
  }

  private Message parseLine(String line) {
    JsonNode tree;
    try {
      tree = JSON.readTree(line);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException("not JSON (" + e.getOriginalMessage() + "); write one "
          + "object per line: {\"channel\":\"user.1\",\"event\":\"x\",\"data\":{...}}");
    }
    if (tree == null || !tree.isObject()) {
      throw new IllegalArgumentException("not a JSON object; write one object per line: "
          + "{\"channel\":\"user.1\",\"event\":\"x\",\"data\":{...}}");
    }
    for (Iterator<String> names = tree.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!java.util.Set.of("channel", "event", "data", "key", "headers").contains(name)) {
        throw new IllegalArgumentException("unknown field \"" + name + "\"; a line may have "
            + "channel, event, data, key and headers");
      }
    }
    Channel lineChannel = tree.hasNonNull("channel") ? Channel.of(tree.get("channel").asText())
        : channel;
    if (lineChannel == null) {
      throw new IllegalArgumentException("no channel: give the line a \"channel\", or give "
          + "--channel");
    }
    Map<String, String> lineHeaders = new LinkedHashMap<>(headers);
    if (tree.hasNonNull("headers")) {
      tree.get("headers").fields().forEachRemaining(h -> lineHeaders.put(h.getKey(),
          h.getValue().asText()));
    }
    JsonNode lineData = tree.get("data");
    Payload payload = lineData == null || lineData.isNull() ? new Payload(new byte[0],
        Message.OCTET_STREAM) : lineData.isTextual()
        ? new Payload(lineData.asText().getBytes(StandardCharsets.UTF_8), TEXT)
        : new Payload(lineData.toString().getBytes(StandardCharsets.UTF_8), Message.JSON);
    return message(lineChannel, tree.hasNonNull("event") ? tree.get("event").asText() : event,
        tree.hasNonNull("key") ? tree.get("key").asText() : key, lineHeaders, payload);
  }

  /** A stdin line: its number (from 1) and its text. */
  private record Line(long number, String text) {}

  /**
   * Publishes, holding a place in the window until the broker answers. A failed stdin
   * {@code line} is reported on stderr by number with its reason, and copied to --failed-to.
   */
  private void send(Broker broker, Message message, boolean printReceipt, @Nullable Line line)
      throws InterruptedException {
    Semaphore permits = java.util.Objects.requireNonNull(window);
    permits.acquire();
    long sentAt = System.nanoTime();
    try {
      broker.publish(message).whenComplete((receipt, failure) -> {
        try {
          if (failure != null) {
            failed(failure, line);
          } else {
            latency.recordValue(Math.max(0, System.nanoTime() - sentAt));
            confirmed.incrementAndGet();
            if (printReceipt) {
              receipts.execute(() -> printReceipt(receipt));
            }
          }
        } finally {
          permits.release();
        }
      });
    } catch (RuntimeException e) {
      // Refused before sending (too large, closed): counted, and the window place returned.
      permits.release();
      failed(e, line);
    }
  }

  private void failed(Throwable failure, @Nullable Line line) {
    failed.incrementAndGet();
    firstFailure.compareAndSet(null, failure);
    if (line != null) {
      System.err.println("realtime: stdin line " + line.number() + " not published: "
          + Main.sentence(failure));
      notPublished(line.text());
    }
  }

  /** Copies a line to --failed-to, if given; from any thread. */
  private void notPublished(String text) {
    BufferedWriter file = failedLines;
    if (file == null) {
      return;
    }
    synchronized (file) {
      try {
        file.write(text);
        file.newLine();
      } catch (IOException e) {
        throw new java.io.UncheckedIOException("could not write --failed-to " + failedTo, e);
      }
    }
  }

  private static void printReceipt(PublishReceipt receipt) {
    StringBuilder line = new StringBuilder("{\"id\":\"").append(receipt.messageId())
        .append("\",\"channel\":\"").append(receipt.channel().name()).append('"');
    if (receipt.position() != null) {
      line.append(",\"position\":\"").append(receipt.position().value()).append('"');
    }
    System.out.println(line.append('}'));
  }

  private String summary(long attempted, long elapsedNanos) {
    long ok = confirmed.get();
    String rate = String.format(Locale.ROOT, "%,.0f msg/s", ok * 1e9 / Math.max(1,
        elapsedNanos));
    String latencies = ok == 0 ? "" : String.format(Locale.ROOT,
        "; confirm latency p50 %s, p99 %s, max %s",
        millis(latency.getValueAtPercentile(50)), millis(latency.getValueAtPercentile(99)),
        millis(latency.getMaxValue()));
    // A rate means something for load; for a message or a few it would only show start-up.
    String took = count == null ? "" : " in " + ConsumerStats.format(
        java.time.Duration.ofNanos(elapsedNanos)) + " (" + rate + ")";
    return String.format(Locale.ROOT, "published %,d of %,d message%s%s%s", ok, attempted,
        attempted == 1 ? "" : "s", took, latencies) + (failed.get() > 0 ? String.format(Locale.ROOT, ", %,d failed",
        failed.get()) : "");
  }

  private static String millis(long nanos) {
    return String.format(Locale.ROOT, "%.2f ms", nanos / 1e6);
  }

  private static final String TEXT = "text/plain; charset=utf-8";

  /** A payload and its content type. */
  private static final class Payload {
    final byte[] bytes;
    final String contentType;

    Payload(byte[] bytes, String contentType) {
      this.bytes = bytes;
      this.contentType = contentType;
    }
  }

  /** {@code --data}: JSON when it parses as JSON, else text. */
  private static Payload payload(String data) {
    try {
      JSON.readTree(data);
      return new Payload(data.getBytes(StandardCharsets.UTF_8), Message.JSON);
    } catch (IOException e) {
      return new Payload(data.getBytes(StandardCharsets.UTF_8), TEXT);
    }
  }

  /** A generated payload: {@code {"seq":N,"pad":"xxx…"}}, padded to {@code size} bytes. */
  private static Payload generated(long seq, long size) {
    String head = "{\"seq\":" + seq + ",\"pad\":\"";
    int pad = (int) Math.max(0, size - head.length() - 2);
    StringBuilder json = new StringBuilder((int) Math.max(size, head.length() + 2)).append(head);
    for (int i = 0; i < pad; i++) {
      json.append('x');
    }
    return new Payload(json.append("\"}").toString().getBytes(StandardCharsets.UTF_8),
        Message.JSON);
  }

  private static Message message(@Nullable Channel channel, String event, @Nullable String key,
      Map<String, String> headers, Payload payload) {
    return Message.builder()
        .channel(java.util.Objects.requireNonNull(channel, "channel"))
        .event(event)
        .key(key)
        .headers(headers)
        .payload(payload.bytes)
        .contentType(payload.contentType)
        .build();
  }
}
