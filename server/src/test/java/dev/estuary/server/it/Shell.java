package dev.estuary.server.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Runs a shell command line exactly as a person would type it: {@code bash -o pipefail -c
 * <command>} in a working directory, with a time limit. {@code pipefail} only makes a failing stage
 * of a pipeline visible in the exit status; the command text itself is not changed.
 */
public final class Shell {
  private static final Duration DEFAULT_LIMIT = Duration.ofSeconds(30);
  private static int counter;

  private Shell() {}

  /** What a command did. */
  public record Result(String command, int exitCode, String stdout, String stderr) {
    public boolean ok() {
      return exitCode == 0;
    }

    /** For assertion messages. */
    public String describe() {
      return "$ "
          + command
          + "\nexit "
          + exitCode
          + "\n--- stdout\n"
          + stdout
          + "\n--- stderr\n"
          + stderr;
    }
  }

  public static Result run(Path dir, String command) {
    return run(dir, DEFAULT_LIMIT, command);
  }

  static synchronized int next() {
    return ++counter;
  }

  public static Result run(Path dir, Duration limit, String command) {
    int n = next();
    Path out = dir.resolve(".shell-" + n + ".out");
    Path err = dir.resolve(".shell-" + n + ".err");
    try {
      Process p =
          new ProcessBuilder("bash", "-o", "pipefail", "-c", command)
              .directory(dir.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
              .redirectOutput(out.toFile())
              .redirectError(err.toFile())
              .start();
      if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
        throw new AssertionError(
            "timed out after " + limit + ": " + command + "\n" + Files.readString(err));
      }
      Result r =
          new Result(
              command,
              p.exitValue(),
              Files.readString(out, StandardCharsets.UTF_8),
              Files.readString(err, StandardCharsets.UTF_8));
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
      return r;
    } catch (IOException e) {
      throw new IllegalStateException("cannot run bash: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running: " + command, e);
    }
  }

  /** Runs and fails the test, with everything the command printed, unless it exits 0. */
  public static Result ok(Path dir, String command) {
    Result r = run(dir, command);
    if (!r.ok()) {
      throw new AssertionError("command failed:\n" + r.describe());
    }
    return r;
  }
}
