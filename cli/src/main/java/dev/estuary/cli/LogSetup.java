package dev.estuary.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * The {@code estuary} command's logging, in code rather than logback.xml: one line per event on
 * standard error, {@code 2026-05-01T10:00:00.123Z INFO Logger - message}, UTC, or with {@code
 * ESTUARY_LOG_FORMAT=json} one JSON object per line (for log collectors); INFO (or {@value
 * #LEVEL_PROPERTY}), Jetty, HikariCP and Flyway at WARN. Found by logback through {@code
 * META-INF/services}; doing without the XML configurator keeps its XML parser out of the process (a
 * device agent's start time and memory).
 */
public final class LogSetup extends ContextAwareBase implements Configurator {

  /** The environment variable that switches to one JSON object per line ({@code json}). */
  public static final String FORMAT_VARIABLE = "ESTUARY_LOG_FORMAT";

  /**
   * The system property that sets the level (INFO unless given): the command-line module's test
   * runs set WARN (cli/pom.xml), so that the servers and agents they run in-process stay quiet.
   */
  public static final String LEVEL_PROPERTY = "estuary.log.level";

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    Encoder<ILoggingEvent> encoder =
        "json".equalsIgnoreCase(System.getenv(FORMAT_VARIABLE)) ? json(context) : text(context);
    ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
    stderr.setContext(context);
    stderr.setName("STDERR");
    stderr.setTarget("System.err");
    stderr.setEncoder(encoder);
    stderr.start();
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.toLevel(System.getProperty(LEVEL_PROPERTY), Level.INFO));
    root.addAppender(stderr);
    for (String quiet : new String[] {"org.eclipse.jetty", "com.zaxxer.hikari", "org.flywaydb"}) {
      context.getLogger(quiet).setLevel(Level.WARN);
    }
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  private static Encoder<ILoggingEvent> text(LoggerContext context) {
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern("%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX,UTC} %-5level %logger{0} - %msg%n");
    encoder.start();
    return encoder;
  }

  /** Logback's JSON lines: timestamp, level, logger, thread, message, and any exception. */
  private static Encoder<ILoggingEvent> json(LoggerContext context) {
    JsonEncoder encoder = new JsonEncoder();
    encoder.setContext(context);
    encoder.setWithArguments(false);
    encoder.setWithContext(false);
    encoder.setWithSequenceNumber(false);
    encoder.setWithNanoseconds(false);
    encoder.setWithMessage(false);
    encoder.setWithFormattedMessage(true);
    encoder.start();
    return encoder;
  }
}
