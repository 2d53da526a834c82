package dev.estuary.agent.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** The log lines (WARN and above) the agent writes while this is open, as they would be printed. */
public final class LogLines implements AutoCloseable {
  private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final Level before = root.getLevel();

  /** Captures warnings and errors. */
  public LogLines() {
    this(Level.WARN);
  }

  /** Captures lines at {@code level} and above (the root logger's level is lowered while open). */
  public LogLines(Level level) {
    appender.start();
    root.addAppender(appender);
    if (before.toInt() > level.toInt()) {
      root.setLevel(level);
    }
  }

  /** Every line captured, at any level: the logger's simple name, then the formatted message. */
  public List<String> all() {
    return appender.list.stream()
        .map(
            e ->
                e.getLoggerName().substring(e.getLoggerName().lastIndexOf('.') + 1)
                    + " "
                    + e.getFormattedMessage())
        .toList();
  }

  /** Each warning or error so far: its logger's simple name, then the formatted message. */
  public List<String> warnings() {
    return appender.list.stream()
        .filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
        .map(
            e ->
                e.getLoggerName().substring(e.getLoggerName().lastIndexOf('.') + 1)
                    + " "
                    + e.getFormattedMessage())
        .toList();
  }

  /** Forgets the lines so far. */
  public void clear() {
    appender.list.clear();
  }

  @Override
  public void close() {
    root.detachAppender(appender);
    appender.stop();
    root.setLevel(before);
  }
}
