package dev.realtime.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.pattern.ThrowableHandlingConverter;
import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The command's logging (Logback, set up by {@code logback.xml}): WARN and one line per event by
 * default, INFO with stack traces after {@link #verbose()}. Logback rather than slf4j-simple
 * because the switch happens after the command line is parsed, when loggers may already exist,
 * and slf4j-simple reads its levels once.
 */
final class Logging {
  /** Set by {@code --verbose}: stack traces in log lines. */
  private static volatile boolean traces;

  private Logging() {}

  /** {@code --verbose}: the libraries' INFO logs and every stack trace. */
  static void verbose() {
    traces = true;
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
      context.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(Level.INFO);
      for (ch.qos.logback.classic.Logger logger : context.getLoggerList()) {
        if (logger.getLevel() != null && logger != context.getLogger(Logger.ROOT_LOGGER_NAME)) {
          logger.setLevel(null); // Inherit the root's INFO, as the quiet ones inherit WARN.
        }
      }
    }
  }

  /**
   * {@code %oneLineEx}: a logged exception as {@code  (Type: message; caused by Type: message)}
   * on the event's own line, or, after {@link #verbose()}, the usual stack trace. Without it a
   * broker outage printed 34 lines of amqp-client frames per event.
   */
  public static final class OneLineThrowable extends ThrowableHandlingConverter {
    private final ThrowableProxyConverter full = new ThrowableProxyConverter();

    @Override
    public void start() {
      full.setContext(getContext());
      full.start();
      super.start();
    }

    @Override
    public String convert(ILoggingEvent event) {
      IThrowableProxy thrown = event.getThrowableProxy();
      if (thrown == null) {
        return "";
      }
      if (traces) {
        return full.convert(event);
      }
      StringBuilder line = new StringBuilder(" (");
      for (IThrowableProxy t = thrown; t != null; t = t.getCause()) {
        if (t != thrown) {
          line.append("; caused by ");
        }
        String name = t.getClassName();
        line.append(name.substring(name.lastIndexOf('.') + 1));
        if (t.getMessage() != null && !t.getMessage().isBlank()) {
          line.append(": ").append(t.getMessage().strip().replaceAll("\\s*\\R\\s*", " "));
        }
      }
      return line.append(')').toString();
    }
  }
}
