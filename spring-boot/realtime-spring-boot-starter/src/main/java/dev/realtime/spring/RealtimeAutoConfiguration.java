package dev.realtime.spring;

import dev.realtime.Broker;
import dev.realtime.Brokers;
import dev.realtime.Realtime;
import dev.realtime.channel.ChannelAdmin;
import dev.realtime.config.RealtimeConfig;
import dev.realtime.config.RealtimeOptions;
import dev.realtime.metrics.MicrometerMetrics;
import dev.realtime.metrics.RealtimeMetrics;
import dev.realtime.tracing.OpenTelemetryTracing;
import dev.realtime.tracing.RealtimeTracing;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import java.lang.reflect.Type;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.ResolvableType;
import org.springframework.core.env.Environment;

/**
 * Opens the broker that {@code realtime.*} in the application's properties names, and binds
 * {@link Realtime}, {@link Broker} and {@link ChannelAdmin}; subscribes {@link RealtimeListener}
 * methods; records into the application's {@code MeterRegistry}, reports the broker's health as
 * the {@code realtime} component, and traces with the application's {@code OpenTelemetry}, where
 * it has them. An application's own bean of any of these types replaces the one made here.
 *
 * <p>The keys are the SDK's own (docs/configuration.md), with its checks: an unknown {@code
 * realtime.*} key or a value that does not parse fails the start, naming the key, the property
 * source and the nearest known key. Closing the context closes the listeners' subscriptions
 * first (draining their running calls, within {@code realtime.close-timeout}), then the broker
 * (within it again).
 *
 * <p>Tracing: with an {@code OpenTelemetry} bean (Spring Boot's OpenTelemetry starter makes
 * one), messages are traced with it unless {@code realtime.tracing=none} is set; without one,
 * {@code realtime.tracing=opentelemetry} traces with the global OpenTelemetry, as without Spring.
 */
@AutoConfiguration
public final class RealtimeAutoConfiguration {
  /** The settings, from Spring's Environment. */
  @Bean
  @ConditionalOnMissingBean
  RealtimeConfig realtimeConfig(Environment environment) {
    return SpringSettings.read(environment);
  }

  /**
   * The broker the settings name, with the application's metrics and tracing; closed with the
   * context, after the facade and the listeners.
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean({Broker.class, Realtime.class})
  Broker realtimeBroker(RealtimeConfig config, ObjectProvider<RealtimeMetrics> metrics,
      ObjectProvider<RealtimeTracing> tracing) {
    RealtimeTracing traced = tracing.getIfAvailable();
    RealtimeMetrics measured = metrics.getIfAvailable(() -> RealtimeMetrics.NOOP);
    return traced != null ? Brokers.open(config, measured, traced)
        : Brokers.open(config, measured);
  }

  /**
   * The broker of the application's own {@link Realtime}, where it has one and no broker bean:
   * the one it uses, not a second one opened from the settings. Its owner closes it.
   */
  @Bean(destroyMethod = "")
  @ConditionalOnMissingBean(Broker.class)
  Broker realtimeBrokerOfRealtime(Realtime realtime) {
    return realtime.broker();
  }

  /**
   * The facade over the broker bean, the application's own if it has one. The facade does not
   * own the broker: the broker bean closes it.
   */
  @Bean
  @ConditionalOnMissingBean
  Realtime realtime(Broker broker) {
    return Realtime.builder().broker(broker).build();
  }

  /** The broker's channel administration. */
  @Bean(destroyMethod = "")
  @ConditionalOnMissingBean
  ChannelAdmin realtimeChannelAdmin(Realtime realtime) {
    return realtime.admin();
  }

  /**
   * Subscribes {@link RealtimeListener} methods. Static: it needs nothing of this class, and a
   * lifecycle bean made early should not make the configuration early too.
   */
  @Bean
  static RealtimeListeners realtimeListeners() {
    return new RealtimeListeners();
  }

  /**
   * Reads listener payloads with realtime's own mapper, where the application has no Jackson 3
   * mapper of its own (a plain Spring application without Boot's Jackson support).
   */
  @Bean
  @ConditionalOnMissingBean
  PayloadReader realtimePayloadReader(Realtime realtime) {
    return ownReader(realtime);
  }

  /** Realtime's own (Jackson 2) mapper, which knows a type's class but not its parameters. */
  private static PayloadReader ownReader(Realtime realtime) {
    return (message, type) -> realtime.read(message, raw(type));
  }

  private static Class<?> raw(Type type) {
    return ResolvableType.forType(type).resolve(Object.class);
  }

  /** Listener payloads read with the application's Jackson 3 mapper (Boot 4's default). */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "tools.jackson.databind.ObjectMapper")
  static class JsonMapperReading {
    @Bean
    @ConditionalOnMissingBean
    PayloadReader realtimePayloadReader(
        ObjectProvider<tools.jackson.databind.json.JsonMapper> mapper, Realtime realtime) {
      tools.jackson.databind.json.JsonMapper found = mapper.getIfUnique();
      return found != null ? new JsonMapperPayloadReader(found) : ownReader(realtime);
    }
  }

  /** Metrics into the application's registry, when it has Micrometer. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(MeterRegistry.class)
  static class Metrics {
    @Bean
    @ConditionalOnMissingBean
    RealtimeMetrics realtimeMetrics(ObjectProvider<MeterRegistry> registry) {
      MeterRegistry found = registry.getIfUnique(); // The primary one, where there are several.
      return found != null ? new MicrometerMetrics(found) : RealtimeMetrics.NOOP;
    }
  }

  /** Tracing with the application's OpenTelemetry, when it has the API. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(OpenTelemetry.class)
  static class Tracing {
    @Bean
    @ConditionalOnMissingBean
    RealtimeTracing realtimeTracing(ObjectProvider<OpenTelemetry> openTelemetry,
        RealtimeConfig config) {
      boolean set = !"default".equals(config.sourceOf(RealtimeOptions.TRACING));
      String choice = config.get(RealtimeOptions.TRACING);
      OpenTelemetry found = openTelemetry.getIfAvailable();
      if (set && choice.equals("none")) {
        return RealtimeTracing.NOOP;
      }
      if (found != null) {
        return OpenTelemetryTracing.create(found);
      }
      return choice.equals("opentelemetry") ? OpenTelemetryTracing.global() : RealtimeTracing.NOOP;
    }
  }

  /** The broker's health, as the {@code realtime} component, where Boot's health is present. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(HealthIndicator.class)
  @ConditionalOnEnabledHealthIndicator("realtime")
  static class Health {
    @Bean
    @ConditionalOnMissingBean(name = "realtimeHealthIndicator")
    HealthIndicator realtimeHealthIndicator(Broker broker) {
      return new RealtimeHealthIndicator(broker);
    }
  }
}
