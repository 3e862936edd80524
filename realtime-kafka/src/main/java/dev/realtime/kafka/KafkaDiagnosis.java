package dev.realtime.kafka;

import dev.realtime.internal.FailureReasons;
import dev.realtime.internal.UriCredentials;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;

/**
 * Says what a Kafka failure means. Kafka reports an unreachable broker only as timeouts worded
 * after the step that waited ("Topic x not present in metadata after 10000 ms", "Timed out
 * waiting for a node assignment"), and a client speaking TLS to a plaintext port (or the
 * reverse) the same way: the handshake never completes, the client retries until its timeout.
 */
final class KafkaDiagnosis {
  /** How long a probe of the port's protocol may take, on the failure path only. */
  private static final int PROBE_MILLIS = 2_000;

  private KafkaDiagnosis() {}

  /** True if {@code failure} is Kafka running out of time waiting for a broker. */
  static boolean isTimeout(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof TimeoutException || t instanceof java.util.concurrent.TimeoutException) {
        return true;
      }
    }
    return false;
  }

  /** The sentence for a broker that did not answer: what happened and what to check. */
  static String unreachable(String servers, Throwable failure) {
    return "Kafka at " + UriCredentials.mask(servers) + " is unreachable (no answer in time: "
        + FailureReasons.of(failure) + "). Check that the broker runs, that "
        + "realtime.kafka.bootstrap-servers names its listener, and that "
        + "realtime.kafka.client.security.protocol matches that listener";
  }

  /**
   * After the brokers did not answer at all: probes whether the port speaks the other protocol
   * (plaintext versus TLS) and, if so, returns a sentence saying so and what to set; else "".
   */
  static String protocolMismatch(String servers, Map<String, Object> common) {
    if (!anyListening(servers)) {
      return " Nothing accepts connections at " + UriCredentials.mask(servers) + ".";
    }
    String configured = String.valueOf(common.getOrDefault(
        CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "PLAINTEXT")).trim()
        .toUpperCase(Locale.ROOT);
    boolean tls = configured.endsWith("SSL");
    if (!configured.equals("PLAINTEXT") && answers(servers, "PLAINTEXT")) {
      return " The port answers in PLAINTEXT, but realtime.kafka.client.security.protocol is "
          + configured + ": use the port of the broker's " + configured + " listener, or set "
          + "realtime.kafka.client.security.protocol=PLAINTEXT.";
    }
    if (!tls && answers(servers, "SSL")) {
      return " The port speaks TLS, but realtime.kafka.client.security.protocol is " + configured
          + ": set realtime.kafka.client.security.protocol="
          + (configured.startsWith("SASL") ? "SASL_SSL" : "SSL")
          + " (and realtime.kafka.client.ssl.truststore.* if its certificate is private).";
    }
    return "";
  }

  /** True if a TCP connection to one of the servers opens: then a probe can tell more. */
  private static boolean anyListening(String servers) {
    for (String entry : servers.split(",")) {
      String address = entry.trim();
      int colon = address.lastIndexOf(':');
      if (colon <= 0) {
        continue;
      }
      String host = address.substring(0, colon).replace("[", "").replace("]", "");
      try (java.net.Socket socket = new java.net.Socket()) {
        socket.connect(new java.net.InetSocketAddress(host,
            Integer.parseInt(address.substring(colon + 1))), PROBE_MILLIS);
        return true;
      } catch (java.io.IOException | RuntimeException e) {
        // Refused, unresolvable or silent: try the next.
      }
    }
    return false;
  }

  /**
   * True if a client speaking {@code protocol} gets an answer, or for TLS at least a TLS
   * handshake (a certificate this JVM does not trust still proves the port speaks TLS).
   */
  private static boolean answers(String servers, String protocol) {
    Map<String, Object> props = new HashMap<>();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
    props.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, protocol);
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, PROBE_MILLIS);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, PROBE_MILLIS);
    props.put(AdminClientConfig.CLIENT_ID_CONFIG, "realtime-probe-" + protocol.toLowerCase(
        Locale.ROOT));
    try (Admin probe = Admin.create(props)) {
      probe.describeCluster(new DescribeClusterOptions().timeoutMs(PROBE_MILLIS)).nodes()
          .get(PROBE_MILLIS + 500L, TimeUnit.MILLISECONDS);
      return true;
    } catch (java.util.concurrent.ExecutionException e) {
      return e.getCause() instanceof SslAuthenticationException;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (RuntimeException | java.util.concurrent.TimeoutException e) {
      return false;
    }
  }
}
