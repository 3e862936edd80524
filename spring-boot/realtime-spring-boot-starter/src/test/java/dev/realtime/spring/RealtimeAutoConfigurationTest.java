package dev.realtime.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.realtime.Broker;
import dev.realtime.Message;
import dev.realtime.Realtime;
import dev.realtime.channel.ChannelAdmin;
import dev.realtime.config.ConfigurationException;
import dev.realtime.subscription.DeadLetterHeaders;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * The starter in real application contexts (Spring's {@link ApplicationContextRunner}, which
 * starts and closes a context per test) on the in-memory broker: the beans, the settings and
 * their errors, listeners and their payloads, metrics, health, tracing, and the close.
 */
class RealtimeAutoConfigurationTest {
  private final ApplicationContextRunner contexts = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class,
          RealtimeAutoConfiguration.class));

  @Test
  void opensTheBrokerThePropertiesNameAndBindsItsBeans() {
    contexts.withPropertyValues("realtime.memory.max-messages-per-channel=3")
        .run(context -> {
          Realtime realtime = context.getBean(Realtime.class);
          assertThat(context.getBean(Broker.class)).isSameAs(realtime.broker());
          assertThat(context).hasSingleBean(ChannelAdmin.class);
          assertThat(realtime.broker().name()).isEqualTo("memory");
          assertThat(context.getBean(dev.realtime.config.RealtimeConfig.class)
              .getString("realtime.memory.max-messages-per-channel")).contains("3");
        });
  }

  @Test
  void anUnknownKeyFailsTheStartNamingTheNearestKeyAndItsSource() {
    contexts.withPropertyValues("realtime.memory.max-mesages-per-channel=3")
        .run(context -> assertThat(context).hasFailed().getFailure()
            .rootCause().isInstanceOf(ConfigurationException.class)
            .hasMessageContaining("realtime.memory.max-mesages-per-channel")
            .hasMessageContaining("realtime.memory.max-messages-per-channel"));
  }

  @Test
  @ExtendWith(OutputCaptureExtension.class)
  void anApplicationThatFailsOnASettingReportsTheSettingAndWhatToDo(CapturedOutput output) {
    // SpringApplication.run, as an application starts: Boot's failure report, not a stack.
    assertThatThrownBy(() -> new SpringApplicationBuilder(Minimal.class)
        .web(WebApplicationType.NONE).properties("realtime.broker=memroy").run())
        .hasRootCauseInstanceOf(ConfigurationException.class);
    assertThat(output.getAll()).contains("APPLICATION FAILED TO START")
        .contains("realtime.broker is \"memroy\"")
        .contains("Correct the realtime.* setting named above");
  }

  @Test
  void aValueThatDoesNotParseFailsTheStart() {
    contexts.withPropertyValues("realtime.close-timeout=soon")
        .run(context -> assertThat(context).hasFailed().getFailure()
            .rootCause().isInstanceOf(ConfigurationException.class)
            .hasMessageContaining("realtime.close-timeout")
            .hasMessageContaining("soon"));
  }

  @Test
  void listenersReceiveTheirPayloadReadWithTheApplicationsJsonMapper() {
    contexts.withUserConfiguration(Listeners.class)
        .withPropertyValues("spring.jackson.property-naming-strategy=SNAKE_CASE",
            "orders.channel=orders")
        .run(context -> {
          Realtime realtime = context.getBean(Realtime.class);
          Listeners listeners = context.getBean(Listeners.class);
          realtime.broadcast("orders", "placed", Map.of("order_id", 42, "item", "a book"))
              .toCompletableFuture().join();

          await().atMost(Duration.ofSeconds(10)).until(() -> listeners.orders.size() == 1
              && listeners.texts.size() == 1 && listeners.messages.size() == 1);
          assertThat(listeners.orders).as("snake_case read by the application's mapper")
              .containsExactly(new Order(42, "a book"));
          assertThat(listeners.texts.get(0)).contains("\"order_id\":42");
          assertThat(listeners.messages.get(0).event()).isEqualTo("placed");
        });
  }

  @Test
  void aPayloadThatIsNotTheParametersTypeGoesStraightToTheDeadLetters() {
    contexts.withUserConfiguration(Listeners.class)
        .withPropertyValues("orders.channel=orders")
        .run(context -> {
          Realtime realtime = context.getBean(Realtime.class);
          Listeners listeners = context.getBean(Listeners.class);
          realtime.broadcast("orders", "placed", "not an order").toCompletableFuture().join();

          await().atMost(Duration.ofSeconds(10)).until(() -> !listeners.deadLetters.isEmpty());
          Message letter = listeners.deadLetters.get(0);
          assertThat(letter.header(DeadLetterHeaders.ATTEMPTS)).as("not retried").isEqualTo("1");
          assertThat(letter.header(DeadLetterHeaders.REASON))
              .contains("is not a " + Order.class.getName());
          assertThat(listeners.orders).isEmpty();
        });
  }

  @Test
  void aListenerThatCannotBeCalledFailsTheStartNamingIt() {
    contexts.withUserConfiguration(TwoPayloads.class)
        .run(context -> assertThat(context).hasFailed().getFailure()
            .rootCause().hasMessageContaining("@RealtimeListener " + TwoPayloads.class.getName()
                + ".handle cannot be called: it takes more than one payload parameter"));
  }

  @Test
  void aListenerOnABeanThatIsNotASingletonFailsTheStartNamingIt() {
    contexts.withBean("perRequest", TwoPayloads.class, TwoPayloads::new,
            definition -> definition.setScope("prototype"))
        .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
            .hasMessageContaining("bean \"perRequest\"")
            .hasMessageContaining("has scope \"prototype\""));
  }

  @Test
  void closingTheContextClosesTheBroker() {
    List<Broker> opened = new CopyOnWriteArrayList<>();
    contexts.withUserConfiguration(Listeners.class)
        .withPropertyValues("orders.channel=orders")
        .run(context -> opened.add(context.getBean(Broker.class)));

    assertThat(opened.get(0).health().isUp()).as("after the context closed").isFalse();
  }

  @Test
  void closingTheContextLetsARunningListenerFinishBeforeItsBeanIsDestroyed() throws Exception {
    // A close-timeout well past what a loaded machine needs to notice the close waiting.
    contexts.withUserConfiguration(Slow.class).withPropertyValues("realtime.close-timeout=60s")
        .run(context -> {
      Slow slow = context.getBean(Slow.class);
      context.getBean(Realtime.class).broadcast("jobs", "run", Map.of())
          .toCompletableFuture().join();
      assertThat(slow.started.await(10, TimeUnit.SECONDS)).as("the handler started").isTrue();

      Thread closer = new Thread(context::close, "closer");
      closer.start();
      // Released once the close waits: for the handler (the listeners' stop drains it), or, if
      // the listeners were left to the broker's close, after their bean was destroyed.
      await().atMost(Duration.ofSeconds(30)).until(() -> slow.closing.getCount() == 0
          && (closer.getState() == Thread.State.TIMED_WAITING
              || closer.getState() == Thread.State.WAITING));
      slow.release.countDown();
      closer.join(30_000);

      assertThat(slow.destroyedWhenFinished).as("the handler finished before its bean was "
          + "destroyed").containsExactly(false);
      assertThat(slow.brokerUpWhenFinished).as("and before the broker closed")
          .containsExactly(true);
    });
  }

  @Test
  void theApplicationsOwnBrokerIsTheOneListenersAndPublishesUse() {
    contexts.withUserConfiguration(Listeners.class).withPropertyValues("orders.channel=orders")
        .withBean("ownBroker", Broker.class,
            () -> dev.realtime.Brokers.open(dev.realtime.config.RealtimeConfig.of(Map.of())))
        .run(context -> {
          Broker own = context.getBean(Broker.class);
          assertThat(context.getBean(Realtime.class).broker()).isSameAs(own);
          own.publish(Message.builder().channel("orders").event("placed")
              .payload("{\"order_id\":7,\"item\":\"a pen\"}").build())
              .toCompletableFuture().join();
          await().atMost(Duration.ofSeconds(10))
              .until(() -> context.getBean(Listeners.class).texts.size() == 1);
        });
  }

  @Test
  void aLazyListenerBeanIsStillSubscribed() {
    contexts.withUserConfiguration(Listeners.class)
        .withPropertyValues("orders.channel=orders")
        // What spring.main.lazy-initialization=true does in an application.
        .withInitializer(context -> context.addBeanFactoryPostProcessor(
            new org.springframework.boot.LazyInitializationBeanFactoryPostProcessor()))
        .run(context -> {
          context.getBean(Realtime.class).broadcast("orders", "placed", "hello")
              .toCompletableFuture().join();
          await().atMost(Duration.ofSeconds(10))
              .until(() -> context.getBean(Listeners.class).texts.size() == 1);
        });
  }

  @Test
  void keysInSpringsRelaxedFormsAreRealtimesKeys() {
    contexts.withPropertyValues("realtime.memory.maxMessagesPerChannel=3").run(context ->
        assertThat(context.getBean(dev.realtime.config.RealtimeConfig.class)
            .getString("realtime.memory.max-messages-per-channel")).contains("3"));
    assertThat(SpringSettings.canonical("realtime.memory.maxMessagesPerChannel"))
        .isEqualTo("realtime.memory.max-messages-per-channel");
    assertThat(SpringSettings.canonical("realtime.kafka.producer[compression.type]"))
        .isEqualTo("realtime.kafka.producer.compression.type");
  }

  @Test
  void anEnvironmentAliasBeatsTheFileAndAnErrorNamesTheFile() {
    ApplicationContextRunner files = withEnvironmentAndFile(
        Map.of("KAFKA_CONSUMER_GROUP", "from-the-alias"),
        "Config resource 'application.properties'",
        Map.of("realtime.consumer-group", "from-the-file"));
    files.run(context -> {
      dev.realtime.config.RealtimeConfig config =
          context.getBean(dev.realtime.config.RealtimeConfig.class);
      assertThat(config.get(dev.realtime.config.RealtimeOptions.CONSUMER_GROUP))
          .isEqualTo("from-the-alias");
      assertThat(config.sourceOf("realtime.consumer-group")).contains("KAFKA_CONSUMER_GROUP");
    });
    files.withInitializer(context -> context.getEnvironment().getPropertySources().addLast(
            new MapPropertySource("Config resource 'application-prod.properties'",
                Map.of("realtime.close-timeout", "soon"))))
        .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
            .hasMessageContaining("application-prod.properties"));
  }

  @Test
  void theEnvironmentBeatsAFileWhateverSpellingEachUses() {
    withEnvironmentAndFile(Map.of("REALTIME_MEMORY_MAX_MESSAGES_PER_CHANNEL", "7"),
        "Config resource 'application.yaml'",
        Map.of("realtime.memory.maxMessagesPerChannel", "3")).run(context -> {
      dev.realtime.config.RealtimeConfig config =
          context.getBean(dev.realtime.config.RealtimeConfig.class);
      assertThat(config.getString("realtime.memory.max-messages-per-channel")).contains("7");
      assertThat(config.sourceOf("realtime.memory.max-messages-per-channel"))
          .contains("REALTIME_MEMORY_MAX_MESSAGES_PER_CHANNEL");
    });
  }

  @Test
  void aPlaceholderThatResolvesToNothingFailsTheStart() {
    contexts.withPropertyValues("realtime.consumer-group=${MAILERS_GROUP_UNSET}")
        .run(context -> assertThat(context).hasFailed().getFailure()
            .hasStackTraceContaining("MAILERS_GROUP_UNSET"));
  }

  @Test
  void anApplicationsOwnRealtimeIsTheBrokerTheHealthReports() {
    contexts.withBean(Realtime.class, () -> Realtime.builder()
            .config(dev.realtime.config.RealtimeConfig.of(Map.of())).build())
        .run(context -> {
          assertThat(context.getBean(Broker.class))
              .isSameAs(context.getBean(Realtime.class).broker());
          context.getBean(Realtime.class).broker().close();
          assertThat(context.getBean("realtimeHealthIndicator", HealthIndicator.class).health()
              .getStatus()).isEqualTo(Status.DOWN);
        });
  }

  @Test
  void payloadTypesAreResolvedAgainstTheBeansClassRawTypesAsTheyStand() {
    contexts.withUserConfiguration(OrderItems.class).run(context -> {
      OrderItems items = context.getBean(OrderItems.class);
      context.getBean(Realtime.class).broadcast("items", "added",
          List.of(Map.of("orderId", 1, "item", "a pen"))).toCompletableFuture().join();
      await().atMost(Duration.ofSeconds(10))
          .until(() -> items.lists.size() == 1 && items.maps.size() == 1);
      assertThat(items.lists.get(0)).as("List<T> with T = Order")
          .containsExactly(new Order(1, "a pen"));
    });
  }

  @Test
  void withoutMicrometerOpenTelemetryHealthOrJackson3TheRestStillWorks() {
    contexts.withClassLoader(new FilteredClassLoader(MeterRegistry.class, OpenTelemetry.class,
            HealthIndicator.class, tools.jackson.databind.ObjectMapper.class))
        .withUserConfiguration(Listeners.class).withPropertyValues("orders.channel=orders")
        .run(context -> {
          assertThat(context).hasNotFailed().doesNotHaveBean("realtimeHealthIndicator")
              .doesNotHaveBean(dev.realtime.metrics.RealtimeMetrics.class);
          context.getBean(Realtime.class).broadcast("orders", "placed",
              Map.of("orderId", 9, "item", "a cup")).toCompletableFuture().join();
          await().atMost(Duration.ofSeconds(10))
              .until(() -> context.getBean(Listeners.class).orders.size() == 1);
          assertThat(context.getBean(Listeners.class).orders).as("read by realtime's mapper")
              .containsExactly(new Order(9, "a cup"));
        });
  }

  @Test
  void recordsIntoTheApplicationsMeterRegistry() {
    contexts.withBean(MeterRegistry.class, SimpleMeterRegistry::new).run(context -> {
      context.getBean(Realtime.class).broadcast("orders", "placed", Map.of())
          .toCompletableFuture().join();
      assertThat(context.getBean(MeterRegistry.class).get("realtime.published")
          .tag("outcome", "success").counter().count()).isEqualTo(1.0);
    });
  }

  @Test
  void reportsTheBrokersHealthAsTheRealtimeComponent() {
    contexts.run(context -> {
      HealthIndicator health = context.getBean("realtimeHealthIndicator", HealthIndicator.class);
      assertThat(health.health().getStatus()).isEqualTo(Status.UP);
      assertThat(health.health().getDetails()).containsEntry("broker", "memory");
      context.getBean(Broker.class).close();
      assertThat(health.health().getStatus()).isEqualTo(Status.DOWN);
    });
  }

  @Test
  void tracesWithTheApplicationsOpenTelemetryUnlessToldNotTo() {
    InMemorySpanExporter exporter = InMemorySpanExporter.create();
    // A bean of the test's own making, not closed by the context (closing the SDK would clear
    // the exporter before the assertions read it).
    ApplicationContextRunner traced = contexts.withBean(OpenTelemetry.class,
        () -> OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder()
            .addSpanProcessor(SimpleSpanProcessor.create(exporter)).build()).build(),
        definition -> definition.setDestroyMethodName(""));

    traced.run(context -> {
      context.getBean(Realtime.class).broadcast("orders", "placed", Map.of())
          .toCompletableFuture().join();
      assertThat(exporter.getFinishedSpanItems()).extracting(SpanData::getName)
          .containsExactly("publish orders");
    });

    exporter.reset();
    traced.withPropertyValues("realtime.tracing=none").run(context -> {
      context.getBean(Realtime.class).broadcast("orders", "placed", Map.of())
          .toCompletableFuture().join();
      assertThat(exporter.getFinishedSpanItems()).isEmpty();
    });
  }

  /**
   * Contexts whose process environment is {@code variables} (in place of the real one) and
   * whose lowest source is a file named {@code file} holding {@code properties}, as Boot adds
   * application.properties below the environment.
   */
  private ApplicationContextRunner withEnvironmentAndFile(Map<String, Object> variables,
      String file, Map<String, Object> properties) {
    return contexts.withInitializer(context -> {
      var sources = context.getEnvironment().getPropertySources();
      sources.replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
          new SystemEnvironmentPropertySource(
              StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, variables));
      sources.addLast(new MapPropertySource(file, properties));
    });
  }

  /** An application of nothing but auto-configuration. */
  @org.springframework.boot.SpringBootConfiguration
  @org.springframework.boot.autoconfigure.ImportAutoConfiguration(
      RealtimeAutoConfiguration.class)
  static class Minimal {}

  /** An order as the listeners read it. */
  record Order(long orderId, String item) {}

  /** Listeners of every parameter shape, and a reader of the dead letters. */
  @Configuration(proxyBeanMethods = false)
  static class Listeners {
    final List<Order> orders = new CopyOnWriteArrayList<>();
    final List<String> texts = new CopyOnWriteArrayList<>();
    final List<Message> messages = new CopyOnWriteArrayList<>();
    final List<Message> deadLetters = new CopyOnWriteArrayList<>();

    @RealtimeListener(channels = "${orders.channel}", group = "mailers",
        deadLetterChannel = "orders.dead")
    void order(Order order, Message message) {
      orders.add(order);
    }

    @RealtimeListener(channels = "orders")
    void text(String payload) {
      texts.add(payload);
    }

    @RealtimeListener(channels = "orders")
    void message(Message message) {
      messages.add(message);
    }

    @RealtimeListener(channels = "orders.dead")
    void deadLetter(Message message) {
      deadLetters.add(message);
    }
  }

  /** A listener that runs until released, and notes when the context begins to close. */
  @Configuration(proxyBeanMethods = false)
  static class Slow implements ApplicationListener<ContextClosedEvent>, DisposableBean {
    final CountDownLatch started = new CountDownLatch(1);
    final CountDownLatch closing = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final List<Boolean> brokerUpWhenFinished = new CopyOnWriteArrayList<>();
    final List<Boolean> destroyedWhenFinished = new CopyOnWriteArrayList<>();
    volatile boolean destroyed;
    @Autowired Broker broker;

    @RealtimeListener(channels = "jobs")
    void run(Message message) throws InterruptedException {
      started.countDown();
      release.await(30, TimeUnit.SECONDS);
      destroyedWhenFinished.add(destroyed);
      brokerUpWhenFinished.add(broker.health().isUp());
    }

    @Override
    public void destroy() {
      destroyed = true;
    }

    @Override
    public void onApplicationEvent(ContextClosedEvent event) {
      closing.countDown();
    }
  }

  /** Listeners declared on a generic base class. */
  abstract static class Items<T> {
    final List<List<T>> lists = new CopyOnWriteArrayList<>();
    @SuppressWarnings("rawtypes")
    final List<java.util.Collection> maps = new CopyOnWriteArrayList<>();

    @RealtimeListener(channels = "items")
    void items(List<T> items) {
      lists.add(items);
    }

    @RealtimeListener(channels = "items")
    @SuppressWarnings("rawtypes")
    void raw(java.util.Collection items) {
      maps.add(items);
    }
  }

  /** The base class bound to orders. */
  @Configuration(proxyBeanMethods = false)
  static class OrderItems extends Items<Order> {}

  /** A listener with two payload parameters, which nothing could call. */
  @Configuration(proxyBeanMethods = false)
  static class TwoPayloads {
    @RealtimeListener(channels = "orders")
    void handle(String one, String two) {}
  }
}
