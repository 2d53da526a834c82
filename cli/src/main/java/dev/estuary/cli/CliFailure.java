package dev.estuary.cli;

/**
 * A command failed for a reason the operator can act on: {@link OneLineErrors} prints its message
 * as one line on standard error and exits with its code (README: "Exit codes").
 */
public final class CliFailure extends RuntimeException {
  /** The operation failed: the server refused it, or could not start. */
  public static final int FAILED = 1;

  /** A wrong option or argument, or a configuration with mistakes. */
  public static final int USAGE = 2;

  /** No server to talk to: it is not running, or there is no data directory naming it. */
  public static final int UNREACHABLE = 3;

  /** The server has no such thing (HTTP 404), e.g. no certificate with that serial. */
  public static final int NOT_FOUND = 4;

  private final int exitCode;

  public CliFailure(int exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  public CliFailure(int exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }
}
