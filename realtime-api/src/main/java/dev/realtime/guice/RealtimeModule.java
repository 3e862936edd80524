package dev.realtime.guice;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.realtime.Broker;
import dev.realtime.Realtime;
import dev.realtime.channel.ChannelAdmin;
import dev.realtime.config.RealtimeConfig;
import dev.realtime.metrics.RealtimeMetrics;
import dev.realtime.tracing.RealtimeTracing;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Binds {@link Realtime}, {@link Broker} and {@link ChannelAdmin} as singletons opened from a
 * {@link RealtimeConfig}, and closes them when the JVM shuts down.
 *
 * <pre>{@code
 * Injector injector = Guice.createInjector(new RealtimeModule());
 * Realtime realtime = injector.getInstance(Realtime.class);
 * }</pre>
 *
 * <p>The configuration is the one given to the constructor, or {@link RealtimeConfig#load()}.
 * Guice has no lifecycle of its own, so the broker is closed by a JVM shutdown hook (registered
 * when the broker is first opened): on SIGTERM, subscriptions stop taking messages, let running
 * handlers finish and acknowledge them, then disconnect. Applications that close the broker
 * themselves turn the hook off with {@link #withoutShutdownHook()}.
 */
public final class RealtimeModule extends AbstractModule {
  private final @Nullable RealtimeConfig config;
  private final boolean shutdownHook;
  private final RealtimeMetrics metrics;
  private final @Nullable RealtimeTracing tracing;

  /** Binds from {@link RealtimeConfig#load()}, closing on JVM shutdown. */
  public RealtimeModule() {
    this(null, true, RealtimeMetrics.NOOP, null);
  }

  /** Binds from {@code config}, closing on JVM shutdown. */
  public RealtimeModule(RealtimeConfig config) {
    this(Objects.requireNonNull(config, "config == null"), true, RealtimeMetrics.NOOP, null);
  }

  private RealtimeModule(@Nullable RealtimeConfig config, boolean shutdownHook,
      RealtimeMetrics metrics, @Nullable RealtimeTracing tracing) {
    this.config = config;
    this.shutdownHook = shutdownHook;
    this.metrics = metrics;
    this.tracing = tracing;
  }

  /** Returns this module without the shutdown hook: the application closes {@link Realtime}. */
  public RealtimeModule withoutShutdownHook() {
    return new RealtimeModule(config, false, metrics, tracing);
  }

  /**
   * Returns this module recording into {@code metrics}, such as {@code new
   * MicrometerMetrics(registry)}.
   */
  public RealtimeModule withMetrics(RealtimeMetrics metrics) {
    return new RealtimeModule(config, shutdownHook,
        Objects.requireNonNull(metrics, "metrics == null"), tracing);
  }

  /**
   * Returns this module tracing with {@code tracing}, such as {@code
   * OpenTelemetryTracing.create(openTelemetry)}, whatever {@code realtime.tracing} says.
   */
  public RealtimeModule withTracing(RealtimeTracing tracing) {
    return new RealtimeModule(config, shutdownHook, metrics,
        Objects.requireNonNull(tracing, "tracing == null"));
  }

  @Override
  protected void configure() {
    if (config != null) {
      bind(RealtimeConfig.class).toInstance(config);
    } else {
      bind(RealtimeConfig.class).toProvider(RealtimeConfig::load).in(Singleton.class);
    }
  }

  @Provides
  @Singleton
  Realtime realtime(RealtimeConfig config) {
    Realtime.Builder builder = Realtime.builder().config(config).metrics(metrics);
    if (tracing != null) {
      builder.tracing(tracing);
    }
    Realtime realtime = builder.build();
    if (shutdownHook) {
      Runtime.getRuntime().addShutdownHook(
          new Thread(realtime::close, "realtime-shutdown-" + realtime.broker().name()));
    }
    return realtime;
  }

  @Provides
  @Singleton
  Broker broker(Realtime realtime) {
    return realtime.broker();
  }

  @Provides
  @Singleton
  ChannelAdmin admin(Realtime realtime) {
    return realtime.admin();
  }
}
