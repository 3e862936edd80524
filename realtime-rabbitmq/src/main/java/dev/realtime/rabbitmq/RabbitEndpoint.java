package dev.realtime.rabbitmq;

import com.rabbitmq.client.ConnectionFactory;
import dev.realtime.config.ConfigurationException;
import dev.realtime.config.RealtimeConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.GeneralSecurityException;
import java.time.Duration;
import javax.net.ssl.SSLContext;

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
      if (!"amqp".equals(uri.getScheme()) && !"amqps".equals(uri.getScheme())) {
        throw new URISyntaxException(text, "the scheme must be amqp or amqps");
      }
      factory.setUri(uri);
    } catch (URISyntaxException | GeneralSecurityException | IllegalArgumentException e) {
      // Neither the text nor the parser's message is shown when the text holds credentials: a
      // password with a '/' or a space defeats any masking of a URI that does not parse.
      String shown = text.contains("@") ? "a value with credentials (not shown)"
          : "\"" + text + "\" (" + e.getMessage() + ")";
      throw new ConfigurationException(RabbitOptions.URI.name() + " (or RABBITMQ_URL) is "
          + shown + ", which is not a RabbitMQ URI. Write "
          + "amqp://[user:password@]host[:port][/vhost], or amqps:// for TLS.");
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
    factory.setRequestedHeartbeat(10);
    return factory;
  }

  /** The address for messages: {@code amqp://host:port/vhost}, {@code amqps://} with TLS. */
  static String describe(ConnectionFactory factory) {
    return (factory.isSSL() ? "amqps://" : "amqp://") + factory.getHost() + ":"
        + factory.getPort() + "/" + java.net.URLEncoder.encode(factory.getVirtualHost(),
            java.nio.charset.StandardCharsets.UTF_8);
  }
}
