package dev.realtime.spring;

import dev.realtime.Realtime;
import dev.realtime.channel.Channel;
import dev.realtime.channel.ChannelPattern;
import dev.realtime.config.RealtimeConfig;
import dev.realtime.config.RealtimeOptions;
import dev.realtime.subscription.StartPosition;
import dev.realtime.subscription.Subscription;
import dev.realtime.subscription.SubscriptionSpec;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.aop.framework.autoproxy.AutoProxyUtils;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.context.EnvironmentAware;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;

/**
 * Subscribes {@link RealtimeListener} methods once the context has started, and closes their
 * subscriptions first when it stops.
 *
 * <p>Listeners are found at start among the bean definitions, as Spring's own event listeners
 * are, not as beans happen to be created: a lazy bean that nothing injects is still a listener
 * (and is created for it), and a bean of another scope, whose instances come and go, is refused
 * at start rather than subscribed once per instance. A handler must not receive a message while
 * the beans it calls are still being made, hence the start after the context's refresh.
 *
 * <p>On stop, every subscription closes at once, in parallel, each draining its running handler
 * calls (and acknowledging them) within {@code realtime.close-timeout}; only then does the
 * context destroy the beans those calls use, and then close the broker. It is a {@link
 * SmartLifecycle} of the default phase, the last to start and among the first to stop.
 */
final class RealtimeListeners implements SmartLifecycle, BeanFactoryAware, EnvironmentAware {
  private static final Logger log = LoggerFactory.getLogger(RealtimeListeners.class);

  private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
  private ConfigurableListableBeanFactory beanFactory;
  private Environment environment;
  private volatile boolean running;

  @Override
  public void setBeanFactory(BeanFactory beanFactory) {
    this.beanFactory = (ConfigurableListableBeanFactory) beanFactory;
  }

  @Override
  public void setEnvironment(Environment environment) {
    this.environment = environment;
  }

  @Override
  public void start() {
    Realtime realtime = beanFactory.getBean(Realtime.class);
    PayloadReader reader = beanFactory.getBean(PayloadReader.class);
    List<Subscription> opened = new ArrayList<>();
    try {
      for (ListenerMethod handler : listeners(reader)) {
        SubscriptionSpec spec = spec(handler.annotation(), handler);
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
    Duration bound = beanFactory.getBean(RealtimeConfig.class).get(RealtimeOptions.CLOSE_TIMEOUT);
    long deadline = System.nanoTime() + bound.toNanos() + 1_000_000_000L; // One for them all.
    List<Thread> closing = new ArrayList<>();
    for (Subscription subscription : subscriptions) {
      Thread thread = new Thread(() -> {
        try {
          if (!subscription.close(bound)) {
            log.warn("a @RealtimeListener subscription did not drain within {} "
                + "(realtime.close-timeout): its unfinished messages are delivered again", bound);
          }
        } catch (RuntimeException e) {
          log.warn("closing a @RealtimeListener subscription failed: {}", e.toString());
        }
      }, "realtime-listener-close");
      thread.setDaemon(true);
      thread.start();
      closing.add(thread);
    }
    for (Thread thread : closing) {
      try {
        thread.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    subscriptions.clear();
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  /** Every listener method of the context's beans. */
  private List<ListenerMethod> listeners(PayloadReader reader) {
    List<ListenerMethod> found = new ArrayList<>();
    for (String name : beanFactory.getBeanDefinitionNames()) {
      BeanDefinition definition = beanFactory.getMergedBeanDefinition(name);
      if (definition.isAbstract() || definition.getRole() == BeanDefinition.ROLE_INFRASTRUCTURE) {
        continue;
      }
      // The class behind a proxy (JDK or CGLIB), where the annotations are.
      Class<?> type = AutoProxyUtils.determineTargetClass(beanFactory, name);
      if (type == null) {
        type = beanFactory.getType(name, false);
      }
      if (type == null) {
        continue;
      }
      Class<?> target = ClassUtils.getUserClass(type);
      Map<Method, RealtimeListener> methods = MethodIntrospector.selectMethods(target,
          (MethodIntrospector.MetadataLookup<RealtimeListener>) method ->
              AnnotatedElementUtils.findMergedAnnotation(method, RealtimeListener.class));
      if (methods.isEmpty()) {
        continue;
      }
      if (!definition.isSingleton()) {
        throw new IllegalStateException("@RealtimeListener methods need a singleton bean, and "
            + "bean \"" + name + "\" (" + target.getName() + ") has scope \""
            + definition.getScope() + "\": a subscription would outlive its instances. Move "
            + "the listener to a singleton bean.");
      }
      Object bean = beanFactory.getBean(name);
      methods.forEach((method, annotation) -> found.add(new ListenerMethod(bean,
          AopUtils.selectInvocableMethod(method, bean.getClass()), target, annotation, reader)));
    }
    return found;
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
