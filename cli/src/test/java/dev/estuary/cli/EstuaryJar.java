package dev.estuary.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * The runnable jar this build made ({@code estuary.jar}), run as a child process the way an
 * operator runs it.
 */
public final class EstuaryJar {
  private static final ObjectMapper JSON = new ObjectMapper();

  private EstuaryJar() {}

  /** What a command printed and how it exited. */
  public record Result(int code, String out, String err) {
    /** For assertion messages. */
    public String describe() {
      return "exit " + code + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
    }
  }

  /** Runs {@code estuary args…} in {@code work} and waits (two minutes at most). */
  public static Result run(Path work, String... args) throws IOException, InterruptedException {
    return run(work, new ProcessBuilder(command(List.of(), args)).directory(work.toFile()));
  }

  /** Runs a bash script in {@code dir} with pipefail. */
  public static Result sh(Path dir, String script) throws IOException, InterruptedException {
    return run(
        dir,
        new ProcessBuilder("bash", "-c", "set -o pipefail; " + script).directory(dir.toFile()));
  }

  /**
   * Starts {@code estuary args…} in the background, output to {@code log}, with extra JVM options.
   */
  public static Process start(Path log, List<String> jvmOptions, String... args)
      throws IOException {
    return new ProcessBuilder(command(jvmOptions, args))
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .start();
  }

  /**
   * Starts {@code estuary server --quickstart} on {@code data} with free loopback ports, output to
   * {@code log}, and waits until it serves (its quickstart.json names the EST URL; 90 s at most).
   *
   * @throws IllegalStateException with the server's output when it exits instead
   */
  public static Process startQuickstart(Path data, Path log) throws Exception {
    Process server =
        start(
            log,
            List.of(),
            "server",
            "--quickstart",
            "--data-dir",
            data.toString(),
            "--est-port",
            "0",
            "--admin-port",
            "0");
    try {
      Awaitility.await()
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(200))
          .until(
              () -> {
                if (!server.isAlive()) {
                  throw new IllegalStateException("server exited:\n" + Files.readString(log));
                }
                Path f = data.resolve("quickstart.json");
                return Files.exists(f) && JSON.readTree(f.toFile()).has("est_url");
              });
    } catch (RuntimeException e) {
      stop(server);
      throw e;
    }
    return server;
  }

  /** Stops a server started here (SIGTERM, then SIGKILL after 20 s); null is ignored. */
  public static void stop(Process server) throws InterruptedException {
    if (server != null) {
      server.destroy();
      if (!server.waitFor(20, TimeUnit.SECONDS)) {
        server.destroyForcibly();
      }
    }
  }

  /**
   * Runs {@code pb} to completion (two minutes at most), capturing its output in files under {@code
   * work}.
   */
  public static Result run(Path work, ProcessBuilder pb) throws IOException, InterruptedException {
    return run(work, pb, 120);
  }

  /**
   * Runs {@code pb} to completion ({@code seconds} at most), capturing its output in files under
   * {@code work}.
   */
  public static Result run(Path work, ProcessBuilder pb, long seconds)
      throws IOException, InterruptedException {
    Path out = Files.createTempFile(work, "out", ".txt");
    Path err = Files.createTempFile(work, "err", ".txt");
    Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("timed out: " + pb.command());
    }
    return new Result(
        p.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  private static List<String> command(List<String> jvmOptions, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(java());
    cmd.addAll(jvmOptions);
    cmd.add("-jar");
    cmd.add(jar());
    cmd.addAll(List.of(args));
    return cmd;
  }

  /** The java running the tests (21+). */
  public static String java() {
    return ProcessHandle.current().info().command().orElse("java");
  }

  /** The shaded jar under test. */
  public static String jar() {
    return System.getProperty("estuary.jar");
  }
}
