package dev.estuary.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * Every failure of an {@code estuary} command is one line on standard error: the command's name and
 * one sentence, and a documented exit code ({@link CliFailure}). No stack trace unless {@code
 * ESTUARY_DEBUG=1}.
 */
public final class OneLineErrors implements IExecutionExceptionHandler, IParameterExceptionHandler {
  /** The environment variable that adds the stack trace under the sentence. */
  public static final String DEBUG_VARIABLE = "ESTUARY_DEBUG";

  /** Installs both handlers on {@code cli} (and so on its subcommands). */
  public static CommandLine install(CommandLine cli) {
    OneLineErrors handler = new OneLineErrors();
    return cli.setExecutionExceptionHandler(handler).setParameterExceptionHandler(handler);
  }

  @Override
  public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parseResult) {
    print(cmd, sentence(ex), ex);
    return ex instanceof CliFailure f ? f.exitCode() : CliFailure.FAILED;
  }

  @Override
  public int handleParseException(ParameterException ex, String[] args) {
    CommandLine cmd = ex.getCommandLine();
    print(cmd, sentence(ex) + " (see " + cmd.getCommandSpec().qualifiedName() + " --help)", ex);
    return CliFailure.USAGE;
  }

  private static void print(CommandLine cmd, String sentence, Exception ex) {
    PrintWriter err = cmd.getErr();
    err.println(cmd.getCommandSpec().qualifiedName() + ": " + sentence);
    if ("1".equals(System.getenv(DEBUG_VARIABLE))) {
      ex.printStackTrace(err);
    }
    err.flush();
  }

  /**
   * One sentence for {@code e}: its message, or the first message down its cause chain, or what
   * kind of failure it was; on one line.
   */
  public static String sentence(Throwable e) {
    String message = null;
    for (Throwable t = e; t != null && message == null; t = t.getCause()) {
      if (t.getMessage() != null && !t.getMessage().isBlank()) {
        message =
            t == e ? t.getMessage() : t.getMessage() + " (" + t.getClass().getSimpleName() + ")";
      }
    }
    if (message == null) {
      message = e.getClass().getSimpleName();
    }
    return message.strip().replaceAll("\\s*\\R\\s*", "; ");
  }
}
