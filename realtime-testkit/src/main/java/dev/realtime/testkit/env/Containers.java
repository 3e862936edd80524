package dev.realtime.testkit.env;

import java.util.Optional;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The last resort for a broker: a Testcontainers container, chosen only when nothing answers at
 * the default address, no address was configured, Testcontainers is on the classpath and a
 * Docker engine answers. The development and CI machines of this project run their brokers
 * locally and have no Docker engine, so there this path is never taken; it exists for machines
 * that have Docker and no local broker. Ryuk, Testcontainers' reaper, removes the container when
 * the JVM exits.
 */
final class Containers {
  private Containers() {}

  /** Starts a container for {@code kind} and returns its URI, or empty if that cannot be. */
  static Optional<String> start(BrokerKind kind) {
    if (!onClasspath()) {
      return Optional.empty();
    }
    return Docker.start(kind);
  }

  private static boolean onClasspath() {
    try {
      Class.forName("org.testcontainers.DockerClientFactory", false,
          Containers.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /** Touches Testcontainers classes; loaded only once they are known to be there. */
  private static final class Docker {
    static Optional<String> start(BrokerKind kind) {
      if (!DockerClientFactory.instance().isDockerAvailable()) {
        return Optional.empty();
      }
      String image = kind == BrokerKind.REDIS ? "redis:7-alpine" : "rabbitmq:3.13-alpine";
      @SuppressWarnings("resource") // Closed by Ryuk when the JVM exits, shared until then.
      GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse(image))
          .withExposedPorts(kind.defaultPort());
      container.start();
      String address = container.getHost() + ":" + container.getMappedPort(kind.defaultPort());
      return Optional.of(kind == BrokerKind.REDIS
          ? "redis://" + address
          : "amqp://guest:guest@" + address + "/");
    }
  }
}
