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

  public LogLines() {
    appender.start();
    root.addAppender(appender);
  }

  /** Each warning or error so far: its logger's simple name, then the formatted message. */
  public List<String> warnings() {
    return appender.list.stream()
        .filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
        .map(e -> e.getLoggerName().substring(e.getLoggerName().lastIndexOf('.') + 1) + " " + e.getFormattedMessage())
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
  }
}
