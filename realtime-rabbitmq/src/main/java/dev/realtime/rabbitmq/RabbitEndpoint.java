package dev.realtime.rabbitmq;

import com.rabbitmq.client.Address;
import com.rabbitmq.client.ConnectionFactory;
import dev.realtime.config.ConfigurationException;
import dev.realtime.config.RealtimeConfig;
import dev.realtime.internal.UriCredentials;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;

/**
 * Where RabbitMQ is and how to log in: {@code realtime.rabbitmq.uri} with the virtual host,
 * user, password and TLS settings laid over it, as a ConnectionFactory. The password never
 * leaves this class except inside the factory; descriptions show the address only.
 */
final class RabbitEndpoint {
  private RabbitEndpoint() {}

  /**
   * A factory for the configured RabbitMQ, with automatic connection recovery on.
   *
   * @throws ConfigurationException if the URI cannot be read, naming the setting and the form
   */
  static ConnectionFactory factory(RealtimeConfig config, Duration timeout) {
    String text = config.get(RabbitOptions.URI).trim();
    ConnectionFactory factory = new ConnectionFactory();
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      // Neither the text nor the parser's message is shown when the text holds credentials: a
      // password with a '/' or a space defeats any masking of a URI that does not parse.
      throw notAUri(text.contains("@") ? "a value with credentials (not shown)"
          : "\"" + text + "\"", e.getReason());
    }
    String problem = incomplete(uri);
    if (problem != null) {
      throw notAUri(masked(uri), problem);
    }
    try {
      // amqps:// is set up below: amqp-client's setUri("amqps://...") installs a trust manager
      // that trusts every certificate (and logs a SECURITY ALERT saying so) before the adapter
      // could replace it, so the URI is handed over as amqp:// and TLS is the adapter's.
      factory.setUri(new URI("amqp" + text.substring(uri.getScheme().length())));
    } catch (URISyntaxException | GeneralSecurityException | IllegalArgumentException e) {
      throw notAUri(masked(uri), UriCredentials.mask(String.valueOf(e.getMessage())));
    }
    // amqp://host/ names the vhost "" by the letter of the AMQP URI spec; everyone means "/".
    String path = uri.getRawPath();
    if (path == null || path.isEmpty() || path.equals("/")) {
      factory.setVirtualHost("/");
    }
    String vhost = config.get(RabbitOptions.VIRTUAL_HOST);
    if (!vhost.isEmpty()) {
      factory.setVirtualHost(vhost);
    }
    String username = config.get(RabbitOptions.USERNAME);
    if (!username.isEmpty()) {
      factory.setUsername(username);
    }
    String password = config.get(RabbitOptions.PASSWORD);
    if (!password.isEmpty()) {
      factory.setPassword(password);
    }
    if ("amqps".equals(uri.getScheme()) || config.get(RabbitOptions.TLS)) {
      if (factory.getPort() == ConnectionFactory.DEFAULT_AMQP_PORT && uri.getPort() < 0) {
        factory.setPort(ConnectionFactory.DEFAULT_AMQP_OVER_SSL_PORT);
      }
      try {
        if (config.get(RabbitOptions.TLS_VERIFY_PEER)) {
          // setUri("amqps://") alone trusts every certificate: verify against the JVM's trust
          // store, and the host name, instead.
          factory.useSslProtocol(SSLContext.getDefault());
          factory.enableHostnameVerification();
        } else {
          factory.useSslProtocol();
        }
      } catch (GeneralSecurityException e) {
        throw new ConfigurationException("TLS for RabbitMQ could not be set up: "
            + e.getMessage(), e);
      }
    }
    factory.setAutomaticRecoveryEnabled(true);
    // The adapter re-creates its consumers itself, from where each one was (see
    // RabbitSubscription); what it declares is durable, or re-declared with its consumer.
    factory.setTopologyRecoveryEnabled(false);
    factory.setNetworkRecoveryInterval(500);
    factory.setConnectionTimeout((int) timeout.toMillis());
    factory.setHandshakeTimeout((int) timeout.toMillis());
    factory.setShutdownTimeout((int) timeout.toMillis());
    // amqp-client waits 10 minutes for an RPC reply by default: a declaration, or a step of
    // close, on a connection that went silent must end by the adapter's own timeout.
    factory.setChannelRpcTimeout((int) timeout.toMillis());
    factory.setRequestedHeartbeat(10);
    return factory;
  }

  /**
   * What keeps {@code uri} from being read completely, or null. java.net.URI accepts an
   * authority it cannot split into host and port ("127.0.0.1:abc") as registry-based, with no
   * host and no port, and amqp-client then connects to localhost:5672 as guest: such a URI, and
   * one with a fragment or a port out of range, is refused rather than read in part.
   */
  static @Nullable String incomplete(URI uri) {
    if (!"amqp".equals(uri.getScheme()) && !"amqps".equals(uri.getScheme())) {
      return "the scheme must be amqp or amqps";
    }
    String authority = uri.getRawAuthority();
    if (authority == null || authority.isEmpty()) {
      return "it names no host";
    }
    if (uri.getHost() == null) {
      String hostPort = authority.substring(authority.lastIndexOf('@') + 1);
      int colon = hostPort.lastIndexOf(':');
      if (colon >= 0 && !hostPort.endsWith("]")
          && !hostPort.substring(colon + 1).matches("[0-9]*")) {
        return "the port \"" + hostPort.substring(colon + 1) + "\" is not a number";
      }
      return "\"" + hostPort + "\" is not a host name or address";
    }
    if (uri.getPort() > 65535) {
      return "the port " + uri.getPort() + " is out of range (1-65535)";
    }
    if (uri.getRawFragment() != null) {
      return "it has a fragment (#...), which means nothing to RabbitMQ";
    }
    return null;
  }

  /** {@code uri} with its password masked: {@code amqp://user:******@host/}. */
  private static String masked(URI uri) {
    String authority = uri.getRawAuthority() == null ? "" : uri.getRawAuthority();
    int at = authority.lastIndexOf('@');
    if (at >= 0) {
      String user = authority.substring(0, at);
      int colon = user.indexOf(':');
      authority = (colon < 0 ? user : user.substring(0, colon)) + ":" + UriCredentials.MASK
          + authority.substring(at);
    }
    return "\"" + uri.getScheme() + "://" + authority
        + (uri.getRawPath() == null ? "" : uri.getRawPath())
        + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()) + "\"";
  }

  private static ConfigurationException notAUri(String shown, @Nullable String problem) {
    return new ConfigurationException(RabbitOptions.URI.name() + " (or RABBITMQ_URL) is "
        + shown + ", which is not a RabbitMQ URI" + (problem == null ? "" : ": " + problem)
        + ". Write amqp://[user:password@]host[:port][/vhost], or amqps:// for TLS.");
  }

  /** The address for messages: {@code amqp://host:port/vhost}, {@code amqps://} with TLS. */
  static String describe(ConnectionFactory factory, List<Address> addresses) {
    String nodes = addresses.stream().map(address -> address.getHost() + ":"
        + (address.getPort() > 0 ? address.getPort() : factory.getPort()))
        .collect(Collectors.joining(","));
    return (factory.isSSL() ? "amqps://" : "amqp://") + nodes + "/"
        + java.net.URLEncoder.encode(factory.getVirtualHost(),
            java.nio.charset.StandardCharsets.UTF_8);
  }

  /**
   * The nodes to connect to: realtime.rabbitmq.addresses, or the URI's host and port. amqp-client
   * tries them in a shuffled order for each connection and each recovery, so connections spread
   * over the cluster and a lost node's clients go to the others.
   */
  static List<Address> addresses(RealtimeConfig config, ConnectionFactory factory) {
    String listed = config.get(RabbitOptions.ADDRESSES);
    if (listed.isBlank()) {
      return List.of(new Address(factory.getHost(), factory.getPort()));
    }
    List<Address> addresses = new ArrayList<>();
    for (Address address : parseAddresses(listed)) {
      // An address without a port takes the URI's (5671 with TLS, 5672 without).
      addresses.add(address.getPort() > 0 ? address
          : new Address(address.getHost(), factory.getPort()));
    }
    return addresses;
  }

  /**
   * Reads {@code host[:port][,host[:port]...]}.
   *
   * @throws IllegalArgumentException naming the entry that is not a host with an optional port
   */
  static List<Address> parseAddresses(String listed) {
    if (listed.isBlank()) {
      return List.of();
    }
    List<Address> addresses = new ArrayList<>();
    for (String entry : listed.split(",")) {
      String trimmed = entry.trim();
      if (!trimmed.matches("(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9._-]+)(:[0-9]{1,5})?")) {
        throw new IllegalArgumentException("\"" + trimmed + "\" is not host[:port] (such as "
            + "rabbit-1:5672; a list is comma-separated, credentials go in realtime.rabbitmq.uri)");
      }
      Address address = Address.parseAddress(trimmed);
      if (address.getPort() > 65535) {
        throw new IllegalArgumentException("the port of \"" + trimmed + "\" is out of range "
            + "(1-65535)");
      }
      addresses.add(address);
    }
    return addresses;
  }
}
