package dev.realtime.spring;

import dev.realtime.Message;
import dev.realtime.subscription.MessageHandler;
import dev.realtime.subscription.NonRetryableException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.lang.reflect.Type;
import org.springframework.core.GenericTypeResolver;
import org.springframework.core.ResolvableType;
import java.nio.charset.StandardCharsets;

/**
 * One {@link RealtimeListener} method as a {@link MessageHandler}: its arguments made from each
 * message, its outcome the handler's. Its parameters are checked when it is made, as the
 * context starts, so that a listener that could never be called fails the start, naming the
 * method.
 */
final class ListenerMethod implements MessageHandler {
  private final Object bean;
  private final Method method;
  private final RealtimeListener annotation;
  private final Argument[] arguments;

  /** Makes one argument from a message; may throw what reading the payload throws. */
  private interface Argument {
    Object of(Message message) throws Exception;
  }

  /**
   * The listener {@code method} (as invocable on {@code bean}, a proxy perhaps) of a bean of
   * class {@code target}, against which generic parameter types are resolved.
   */
  ListenerMethod(Object bean, Method method, Class<?> target, RealtimeListener annotation,
      PayloadReader reader) {
    this.bean = bean;
    this.method = method;
    this.annotation = annotation;
    Parameter[] parameters = method.getParameters();
    this.arguments = new Argument[parameters.length];
    boolean message = false;
    boolean payload = false;
    for (int i = 0; i < parameters.length; i++) {
      Class<?> type = parameters[i].getType();
      if (type == Message.class) {
        if (message) {
          throw refused("it takes more than one Message");
        }
        message = true;
        arguments[i] = received -> received;
      } else {
        if (payload) {
          throw refused("it takes more than one payload parameter (one Message and one payload "
              + "at most)");
        }
        payload = true;
        // Resolved against the bean's class: Base<T> with T = Order reads an Order, and
        // List<T> a List<Order>; a raw or wildcard type (Map, List<?>) is read as it stands.
        Type generic = GenericTypeResolver.resolveType(parameters[i].getParameterizedType(),
            target);
        Class<?> raw = ResolvableType.forType(generic).resolve();
        if (raw == null) {
          throw refused("the type of its parameter " + parameters[i].getName() + " ("
              + generic.getTypeName() + ") cannot be resolved to read a payload into");
        }
        arguments[i] = payload(generic, raw, reader);
      }
    }
    if (parameters.length == 0) {
      throw refused("it takes no parameter: give it the payload's type, a Message, or both");
    }
    method.setAccessible(true);
  }

  @Override
  public void handle(Message message) throws Exception {
    Object[] values = new Object[arguments.length];
    for (int i = 0; i < values.length; i++) {
      values[i] = arguments[i].of(message);
    }
    try {
      method.invoke(bean, values);
    } catch (InvocationTargetException e) {
      Throwable thrown = e.getCause();
      if (thrown instanceof Exception exception) {
        throw exception;
      }
      if (thrown instanceof Error error) {
        throw error;
      }
      throw new IllegalStateException(thrown); // A Throwable of neither kind: rare, but legal.
    }
  }

  /** The listener's annotation, which says what to subscribe to. */
  RealtimeListener annotation() {
    return annotation;
  }

  @Override
  public String toString() {
    return method.getDeclaringClass().getName() + "." + method.getName();
  }

  private Argument payload(Type generic, Class<?> type, PayloadReader reader) {
    if (type == byte[].class) {
      return Message::payload;
    }
    if (type == String.class) {
      return received -> new String(received.payload(), StandardCharsets.UTF_8);
    }
    return received -> {
      try {
        return reader.read(received, generic);
      } catch (Exception e) {
        // The same bytes fail the same way on every attempt: straight to the dead letters.
        throw new NonRetryableException("the payload of " + received.id() + " on "
            + received.channel() + " is not a " + generic.getTypeName() + " (" + this + "): "
            + e.getMessage(), e);
      }
    };
  }

  private IllegalStateException refused(String why) {
    return new IllegalStateException("@RealtimeListener " + this + " cannot be called: " + why
        + ".");
  }
}
