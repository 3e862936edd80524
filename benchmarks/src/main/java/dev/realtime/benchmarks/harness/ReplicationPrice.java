package dev.realtime.benchmarks.harness;

import dev.realtime.benchmarks.drivers.RawKafkaDriver;
import dev.realtime.benchmarks.drivers.RawRabbitDriver;
import dev.realtime.benchmarks.drivers.RawRedisStreamsDriver;
import dev.realtime.benchmarks.drivers.SdkDriver;
import dev.realtime.config.RealtimeConfig;
import dev.realtime.testkit.process.KafkaCluster;
import dev.realtime.testkit.process.RabbitMqCluster;
import dev.realtime.testkit.process.RedisCluster;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What replication costs (issue 16): each broker's single node, then a cluster of its own
 * (the testkit's: Kafka's 3 KRaft nodes, replication 3 and 2 in sync; a Redis Cluster of 3
 * primaries with a replica each, without and with {@code realtime.redis.wait-replicas=1};
 * RabbitMQ's 3 nodes, the quorum queue on each), raw client and SDK on each, in the same run and
 * on the same machine. One cluster at a time, started just before its runs and stopped right
 * after: on two cores the single node's figures must not share the machine with a cluster.
 *
 * <p>What it shows on one machine is the price of the protocol, not of a network: every
 * replica is a loopback hop away and shares the two cores with the clients. Across machines
 * the round trip to the replicas adds to the latency, and the throughput has more cores.
 */
public final class ReplicationPrice {
  /** The brokers it compares, by the id {@code --broker} takes. */
  public static final List<String> BROKERS = List.of("kafka", "redis", "rabbitmq");

  private ReplicationPrice() {}

  /**
   * Runs {@code only} (or every broker of {@link #BROKERS}): its single node from {@code
   * single}, then its cluster, into {@code backends} and {@code results}.
   *
   * @throws IllegalArgumentException if {@code only} is not one of {@link #BROKERS}
   */
  public static void run(Backends single, Harness harness, @Nullable String only,
      List<Backend> backends, List<Result> results) throws Exception {
    if (only != null && !BROKERS.contains(only)) {
      throw new IllegalArgumentException("no broker named '" + only + "'; the brokers are "
          + BROKERS);
    }
    for (String broker : BROKERS) {
      if (only != null && !only.equals(broker)) {
        continue;
      }
      switch (broker) {
        case "kafka" -> {
          measure(harness, single.kafka(), backends, results);
          try (KafkaCluster cluster = KafkaCluster.start(3)) {
            measure(harness, kafka(cluster), backends, results);
          }
        }
        case "redis" -> {
          measure(harness, single.redisStreams(), backends, results);
          try (RedisCluster cluster = RedisCluster.start()) {
            measure(harness, redis(cluster, 0), backends, results);
            measure(harness, redis(cluster, 1), backends, results);
          }
        }
        default -> {
          measure(harness, single.rabbitQuorum(), backends, results);
          try (RabbitMqCluster cluster = RabbitMqCluster.start(3)) {
            measure(harness, rabbitmq(cluster), backends, results);
          }
        }
      }
    }
  }

  private static void measure(Harness harness, Backend backend, List<Backend> backends,
      List<Result> results) throws Exception {
    backends.add(backend);
    results.addAll(harness.runMaxAndSteady(backend));
  }

  /** Topics with 3 replicas, 2 in sync, on both sides; acks=all as always. */
  static Backend kafka(KafkaCluster cluster) {
    String bootstrap = cluster.bootstrapServers();
    RealtimeConfig config = RealtimeConfig.of(Map.of("realtime.broker", "kafka",
        "realtime.kafka.bootstrap-servers", bootstrap,
        "realtime.kafka.replication-factor", "3", "realtime.kafka.min-insync-replicas", "2"));
    return new Backend("kafka, 3-node cluster", Backends.version(config),
        () -> new RawKafkaDriver(bootstrap, false, RawKafkaDriver.Envelope.NONE, (short) 3),
        null, () -> new SdkDriver(config, null), false);
  }

  /**
   * Every node a seed on both sides. With {@code waitReplicas} above 0 the SDK confirms a
   * publish once that many replicas have it (WAIT): the raw side has no such run, since a raw
   * client would be the SDK's code written again.
   */
  static Backend redis(RedisCluster cluster, int waitReplicas) {
    String uri = cluster.uri();
    RealtimeConfig config = RealtimeConfig.of(Map.of("realtime.broker", "redis",
        "realtime.redis.uri", uri, "realtime.redis.mode", "streams",
        "realtime.redis.wait-replicas", String.valueOf(waitReplicas)));
    return new Backend(waitReplicas == 0 ? "redis streams, cluster 3+3"
        : "redis streams, cluster 3+3, wait-replicas " + waitReplicas, Backends.version(config),
        waitReplicas == 0 ? () -> new RawRedisStreamsDriver(uri, null, false) : null, null,
        () -> new SdkDriver(config, null), false);
  }

  /** The raw side on node 1, the SDK given every node; the quorum queue spans all three. */
  static Backend rabbitmq(RabbitMqCluster cluster) {
    RealtimeConfig config = RealtimeConfig.of(Map.of("realtime.broker", "rabbitmq",
        "realtime.rabbitmq.uri", cluster.uri(), "realtime.rabbitmq.addresses",
        cluster.addresses()));
    return new Backend("rabbitmq quorum, 3-node cluster", Backends.version(config),
        () -> new RawRabbitDriver(cluster.uri(), RawRabbitDriver.QueueType.QUORUM, false),
        null, () -> new SdkDriver(config, "bench"), false);
  }

  /**
   * The comparison as Markdown: per backend, each side's maximum (100 B, end to end) and its
   * latency at 1,000/s, with the SDK over raw and the cluster over the single node before it.
   */
  public static String markdown(List<Backend> backends, List<Result> results,
      Harness.Timing timing) {
    StringBuilder md = new StringBuilder();
    md.append("# Benchmarks: the price of replication\n\n");
    md.append("Generated by `scripts/benchmarks --clusters` (`java -jar "
        + "benchmarks/target/benchmarks.jar clusters --output=docs/benchmarks-clusters.md`): "
        + "each broker's single node, then a cluster of its own on the same machine, the raw "
        + "client and the SDK on each, one broker and one topology at a time. Each run warms "
        + "up " + timing.warmUp().toMillis() + " ms and measures " + timing.measure().toMillis()
        + " ms, in " + timing.rounds() + (timing.rounds() == 1 ? " round" : " rounds")
        + " per side taking turns, the median round shown. Every replica shares the machine's "
        + Runtime.getRuntime().availableProcessors() + " cores and loopback with the clients: "
        + "this is what the replication protocol costs, not a network. Method and the "
        + "clusters: [clusters.md](clusters.md). Do not edit by hand.\n\n");
    md.append("| backend | broker | raw max (msg/s) | SDK max (msg/s) | SDK / raw | "
        + "max vs the single node (raw, SDK) | raw p50 / p99 at 1,000/s (ms) | "
        + "SDK p50 / p99 at 1,000/s (ms) |\n");
    md.append("|---|---|--:|--:|--:|--:|--:|--:|\n");
    Backend singleNode = null;
    for (Backend backend : backends) {
      boolean cluster = backend.name().contains("cluster");
      if (!cluster) {
        singleNode = backend;
      }
      Optional<Result> rawMax = find(results, backend, "raw", true);
      Optional<Result> sdkMax = find(results, backend, "sdk", true);
      md.append("| ").append(backend.name()).append(" | ")
          .append(backend.version().replace('|', '/')).append(" | ")
          .append(rawMax.map(r -> rate(r.endToEndRate())).orElse("-")).append(" | ")
          .append(sdkMax.map(r -> rate(r.endToEndRate())).orElse("-")).append(" | ")
          .append(rawMax.isPresent() && sdkMax.isPresent()
              ? ratio(sdkMax.get().endToEndRate() / rawMax.get().endToEndRate()) : "-")
          .append(" | ");
      if (cluster && singleNode != null) {
        Optional<Result> singleRaw = find(results, singleNode, "raw", true);
        Optional<Result> singleSdk = find(results, singleNode, "sdk", true);
        md.append(rawMax.isPresent() && singleRaw.isPresent()
            ? ratio(rawMax.get().endToEndRate() / singleRaw.get().endToEndRate()) : "-")
            .append(", ").append(sdkMax.isPresent() && singleSdk.isPresent()
            ? ratio(sdkMax.get().endToEndRate() / singleSdk.get().endToEndRate()) : "-");
      } else {
        md.append("1 (itself)");
      }
      md.append(" | ").append(find(results, backend, "raw", false).map(ReplicationPrice::latency)
          .orElse("-")).append(" | ").append(find(results, backend, "sdk", false)
          .map(ReplicationPrice::latency).orElse("-")).append(" |\n");
    }
    md.append("\nA side with missing or failed messages says so after its latency: a figure "
        + "from such a run is no measurement of the broker.\n");
    return md.toString();
  }

  private static Optional<Result> find(List<Result> results, Backend backend, String side,
      boolean max) {
    return results.stream().filter(r -> r.backend().equals(backend.name())
        && r.side().equals(side) && r.workload().isMaxThroughput() == max).findFirst();
  }

  private static String rate(double perSecond) {
    return String.format(Locale.ROOT, "%,.0f", perSecond);
  }

  private static String ratio(double ratio) {
    return String.format(Locale.ROOT, "%.2f", ratio);
  }

  private static String latency(Result result) {
    String figures = String.format(Locale.ROOT, "%.1f / %.1f", result.p50() / 1e6,
        result.p99() / 1e6);
    return result.missing() + result.failed() == 0 ? figures
        : figures + " (missing " + result.missing() + ", failed " + result.failed() + ")";
  }
}
