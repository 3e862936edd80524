package dev.realtime.benchmarks.gateway;

import dev.realtime.Broker;
import dev.realtime.Brokers;
import dev.realtime.Message;
import dev.realtime.benchmarks.CommandLine;
import dev.realtime.channel.Channel;
import dev.realtime.config.RealtimeConfig;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.jspecify.annotations.Nullable;

/**
 * {@code java -jar benchmarks.jar gateway [--connections=N] [--rounds=N] [--quick]
 * [--output=FILE] [--profile=DIR]}: the gateway's fan-out ({@code --profile}: each node writes
 * a JFR recording into DIR, for {@code top-frames}). Two gateway nodes, each in a JVM of its own, over the
 * configured broker (Redis by default); N WebSocket clients on loopback, half on each node, all
 * on one channel; then one message a round, published with the SDK, timed from the publish call
 * to each client's receipt and to the last one. The nodes' heap is read after a full collection
 * before and after the clients connect, which gives the connections per GB of heap.
 *
 * <p>The clients run in this JVM on one event loop thread, the nodes in two others, and the
 * broker beside them: on two cores they share the CPU, so the figures are what one small machine
 * does, not what a node does alone.
 */
public final class GatewayFanout {
  private static final String KEY = "bench-key";
  /** Rounds run first and not counted: the JIT and the connections' buffers warm up. */
  private static final int WARM_UP = 5;

  private GatewayFanout() {}

  public static void main(String[] args) throws Exception {
    boolean quick = List.of(args).contains("--quick");
    int connections = CommandLine.option(args, "connections").map(Integer::parseInt)
        .orElse(quick ? 200 : 10_000);
    int rounds = CommandLine.option(args, "rounds").map(Integer::parseInt)
        .orElse(quick ? 3 : 100);
    Path output = CommandLine.option(args, "output").map(Path::of).orElse(null);
    Path profile = CommandLine.option(args, "profile").map(Path::of).orElse(null);
    CommandLine.writeOrPrint(output, run(connections, rounds, quick, profile));
    System.exit(0);  // The broker clients' threads must not keep the JVM.
  }

  /** Runs the fan-out and returns the report. */
  static String run(int connections, int rounds, boolean quick, @Nullable Path profile)
      throws Exception {
    String prefix = "fanout" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);
    RealtimeConfig loaded = RealtimeConfig.load();
    RealtimeConfig.Builder builder = loaded.newBuilder();
    if (loaded.getString("realtime.broker").isEmpty()) {
      builder.set("realtime.broker", "redis");
    }
    RealtimeConfig config = builder.build();
    String broker = config.getString("realtime.broker").orElseThrow();
    config = config.newBuilder().set(prefixKey(broker), prefix).build();
    String channel = "fanout.bench";
    String nodesChannel = "fanout.nodes";
    Map<String, String> settings = new LinkedHashMap<>();
    for (String key : config.keys()) {
      config.getString(key).ifPresent(value -> settings.put(key, value));
    }
    settings.put("realtime.gateway.app-id", "bench");
    settings.put("realtime.gateway.app-key", KEY);
    settings.put("realtime.gateway.app-secret", "bench-secret");
    settings.put("realtime.gateway.host", "127.0.0.1");
    settings.put("realtime.gateway.port", "0");
    settings.put("realtime.gateway.nodes-channel", nodesChannel);
    String heap = quick ? "256m" : "1g";
    int total = connections;
    int rounded = rounds + WARM_UP;
    Histogram receipts = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
    Histogram last = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
    Histogram first = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
    long missed = 0;
    long[] before = new long[2];
    long[] after = new long[2];
    long connectNanos;
    try (Broker publisher = Brokers.open(config)) {
      try (NodeProcess a = new NodeProcess(settings, heap,
              profile == null ? null : profile.resolve("node-a.jfr"));
          NodeProcess b = new NodeProcess(settings, heap,
              profile == null ? null : profile.resolve("node-b.jfr"));
          FanoutClients clients = new FanoutClients(rounded)) {
        before[0] = a.heapAfterGc();
        before[1] = b.heapAfterGc();
        long started = System.nanoTime();
        clients.connect(a.port(), KEY, channel, total / 2, total);
        clients.connect(b.port(), KEY, channel, total - total / 2, total);
        connectNanos = System.nanoTime() - started;
        after[0] = a.heapAfterGc();
        after[1] = b.heapAfterGc();
        for (int round = 0; round < rounded; round++) {
          long sent = System.nanoTime();
          publisher.publish(Message.builder().channel(channel).event("tick").payload("r" + round)
              .contentType("text/plain").build()).toCompletableFuture().join();
          long deadline = sent + TimeUnit.SECONDS.toNanos(30);
          while (clients.received(round) < total && System.nanoTime() < deadline) {
            LockSupport.parkNanos(50_000);
          }
          if (round < WARM_UP) {
            continue;
          }
          long latest = 0;
          long earliest = Long.MAX_VALUE;
          for (long arrival : clients.arrivals(round)) {
            if (arrival == 0) {
              missed++;
            } else {
              receipts.recordValue(Math.max(0, arrival - sent));
              latest = Math.max(latest, arrival - sent);
              earliest = Math.min(earliest, Math.max(0, arrival - sent));
            }
          }
          last.recordValue(latest);
          if (earliest != Long.MAX_VALUE) {
            first.recordValue(earliest);
          }
        }
      }
      // Once the nodes are gone: a node's goodbye would write the nodes' channel again.
      publisher.admin().delete(Channel.of(channel));
      publisher.admin().delete(Channel.of(nodesChannel));
    }
    return report(broker, total, rounds, receipts, first, last, missed, before, after,
        connectNanos, heap, quick);
  }

  private static String prefixKey(String broker) {
    return switch (broker) {
      case "kafka" -> "realtime.kafka.topic-prefix";
      case "rabbitmq" -> "realtime.rabbitmq.name-prefix";
      case "redis" -> "realtime.redis.key-prefix";
      default -> throw new IllegalArgumentException("The fan-out needs a broker the nodes share"
          + " across processes (redis, kafka or rabbitmq), not " + broker);
    };
  }

  private static String report(String broker, int connections, int rounds, Histogram receipts,
      Histogram first, Histogram last, long missed, long[] before, long[] after, long connectNanos, String heap,
      boolean quick) {
    StringBuilder out = new StringBuilder();
    out.append("# Gateway fan-out\n\n");
    if (quick) {
      out.append("**A --quick run: it proves the benchmark works; its figures mean nothing.**\n\n");
    }
    out.append("Written by `scripts/benchmarks --gateway` (`java -jar benchmarks.jar gateway`) on ")
        .append(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)).append(", ")
        .append(Runtime.getRuntime().availableProcessors()).append(" cores, Java ")
        .append(System.getProperty("java.version")).append(".\n\n");
    out.append(String.format(Locale.ROOT, "Two gateway nodes, each in a JVM of its own (-Xmx%s,"
        + " G1), over %s on loopback; %,d WebSocket clients in a third JVM (one Netty event loop"
        + " thread), half on each node, all subscribed to one public channel. Each round"
        + " publishes one message of 2 bytes with the SDK and waits until every client has it;"
        + " %d rounds are counted after %d of warm-up. Times run from the publish call to a"
        + " client's receipt, on one clock (the clients' JVM publishes). Everything shares the"
        + " machine's cores.%n%n", heap, broker, connections, rounds, WARM_UP));
    out.append("| measure | p50 | p99 | max |\n|---|--:|--:|--:|\n");
    out.append(row("publish to the first receipt of a round", first));
    out.append(row("publish to each receipt", receipts));
    out.append(row("publish to the last receipt of a round", last));
    out.append('\n');
    out.append(String.format(Locale.ROOT, "Receipts: %,d of %,d (%,d missed).%n%n",
        receipts.getTotalCount(), (long) connections * rounds, missed));
    out.append("| node | connections | heap after GC, before | after | per connection |"
        + " connections per GB of heap |\n|---|--:|--:|--:|--:|--:|\n");
    int[] per = {connections / 2, connections - connections / 2};
    for (int i = 0; i < 2; i++) {
      double bytes = (double) (after[i] - before[i]) / per[i];
      out.append(String.format(Locale.ROOT, "| %s | %,d | %.1f MiB | %.1f MiB | %.1f KiB | %,.0f |%n",
          i == 0 ? "A" : "B", per[i], before[i] / 1048576.0, after[i] / 1048576.0, bytes / 1024,
          bytes <= 0 ? 0 : (1024.0 * 1024 * 1024) / bytes));
    }
    out.append(String.format(Locale.ROOT, "%nConnecting and subscribing the %,d clients took"
        + " %.1f s (500 at a time).%n", connections, connectNanos / 1e9));
    return out.toString();
  }

  private static String row(String name, Histogram histogram) {
    return String.format(Locale.ROOT, "| %s | %.2f ms | %.2f ms | %.2f ms |%n", name,
        histogram.getValueAtPercentile(50) / 1e6, histogram.getValueAtPercentile(99) / 1e6,
        histogram.getMaxValue() / 1e6);
  }
}
