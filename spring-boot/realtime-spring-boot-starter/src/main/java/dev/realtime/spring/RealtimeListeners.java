package dev.realtime.spring;

import dev.realtime.Realtime;
import dev.realtime.channel.Channel;
import dev.realtime.channel.ChannelPattern;
import dev.realtime.subscription.StartPosition;
import dev.realtime.subscription.Subscription;
import dev.realtime.subscription.SubscriptionSpec;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.EnvironmentAware;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.env.Environment;

/**
 * Finds {@link RealtimeListener} methods as beans are created, and subscribes them once the
 * context has started: a handler must not receive a message while the beans it calls are still
 * being made. On stop, the subscriptions close first, each draining its running handler calls
 * (and acknowledging them) within its drain timeout, before the context destroys the beans the
 * handlers use and then closes the broker.
 *
 * <p>It is a {@link SmartLifecycle} in a late phase, so it starts after, and stops before, the
 * lifecycles of the usual phases (a web server's graceful shutdown included).
 */
final class RealtimeListeners implements BeanPostProcessor, SmartLifecycle, BeanFactoryAware,
    EnvironmentAware {
  private static final Logger log = LoggerFactory.getLogger(RealtimeListeners.class);
  /** Stops before the default phase's lifecycles, which include Boot's web server. */
  static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 1024;

  private final List<Found> found = new CopyOnWriteArrayList<>();
  private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
  private BeanFactory beanFactory;
  private Environment environment;
  private volatile boolean running;

  /** An annotated method of a bean, subscribed at start. */
  private record Found(Object bean, Method method, RealtimeListener listener) {}

  @Override
  public void setBeanFactory(BeanFactory beanFactory) {
    this.beanFactory = beanFactory;
  }

  @Override
  public void setEnvironment(Environment environment) {
    this.environment = environment;
  }

  @Override
  public Object postProcessAfterInitialization(Object bean, String beanName) {
    Class<?> type = AopUtils.getTargetClass(bean);
    Map<Method, RealtimeListener> methods = MethodIntrospector.selectMethods(type,
        (MethodIntrospector.MetadataLookup<RealtimeListener>) method ->
            AnnotatedElementUtils.findMergedAnnotation(method, RealtimeListener.class));
    methods.forEach((method, listener) -> found.add(new Found(bean, method, listener)));
    return bean;
  }

  @Override
  public void start() {
    Realtime realtime = beanFactory.getBean(Realtime.class);
    PayloadReader reader = beanFactory.getBean(PayloadReader.class);
    List<Subscription> opened = new ArrayList<>();
    try {
      for (Found listener : found) {
        ListenerMethod handler = new ListenerMethod(listener.bean(), listener.method(), reader);
        SubscriptionSpec spec = spec(listener.listener(), handler);
        opened.add(realtime.on(spec, handler));
        log.info("@RealtimeListener {} subscribed to {}", handler, spec);
      }
    } catch (RuntimeException e) {
      opened.forEach(Subscription::close); // Nothing half-done: all listeners, or none.
      throw e;
    }
    subscriptions.addAll(opened);
    running = true;
  }

  @Override
  public void stop() {
    running = false;
    for (Subscription subscription : subscriptions) {
      try {
        subscription.close();
      } catch (RuntimeException e) {
        log.warn("closing a @RealtimeListener subscription failed: {}", e.toString());
      }
    }
    subscriptions.clear();
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    return PHASE;
  }

  private SubscriptionSpec spec(RealtimeListener listener, ListenerMethod handler) {
    SubscriptionSpec.Builder spec = SubscriptionSpec.builder();
    if (listener.channels().length == 0) {
      throw new IllegalStateException("@RealtimeListener " + handler + " names no channel: "
          + "give channels = \"orders\" (a name) or \"user.*\" (a pattern).");
    }
    try {
      for (String text : listener.channels()) {
        String channel = resolve(text);
        if (ChannelPattern.isPattern(channel)) {
          spec.pattern(ChannelPattern.of(channel));
        } else {
          spec.channel(Channel.of(channel));
        }
      }
      String group = resolve(listener.group());
      if (!group.isEmpty()) {
        spec.group(group);
      }
      String start = resolve(listener.start());
      if (!start.isEmpty()) {
        spec.start(StartPosition.parse(start));
      }
      String deadLetters = resolve(listener.deadLetterChannel());
      if (!deadLetters.isEmpty()) {
        spec.deadLetterChannel(Channel.of(deadLetters));
      }
      return spec.build();
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("@RealtimeListener " + handler + ": " + e.getMessage(), e);
    }
  }

  private String resolve(String text) {
    return environment.resolveRequiredPlaceholders(text).trim();
  }
}
