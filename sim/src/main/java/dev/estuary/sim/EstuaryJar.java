package dev.estuary.sim;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The estuary jar the servers and the operator's commands run from ({@code estuary-all.jar}), each
 * as a child JVM, the way an operator runs them: the real server, the real {@code server ca}
 * commands, the real factory tool.
 */
record EstuaryJar(Path jar, Path logDir) {
  EstuaryJar {
    if (!Files.isRegularFile(jar)) {
      throw new IllegalArgumentException(
          "--estuary-jar: "
              + jar
              + " does not exist; build it (./mvnw -DskipTests package) or run ./estuary sim");
    }
  }

  /** The java running the simulator. */
  static String java() {
    return ProcessHandle.current().info().command().orElse("java");
  }

  List<String> command(List<String> jvm, List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(java());
    // The launcher's default heap (./estuary): the servers run as an operator runs them.
    cmd.add("-Xmx320m");
    cmd.addAll(jvm);
    cmd.add("-jar");
    cmd.add(jar.toString());
    cmd.addAll(args);
    return cmd;
  }

  /** Starts {@code estuary args…} in the background, output appended to {@code log}. */
  Process start(String log, List<String> args) throws IOException {
    return new ProcessBuilder(command(List.of(), args))
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(logDir.resolve(log).toFile()))
        .start();
  }

  /**
   * Runs {@code estuary args…} to completion ({@code seconds} at most).
   *
   * @throws IOException with the command's output when it fails or takes too long
   */
  String run(String log, long seconds, List<String> args) throws IOException, InterruptedException {
    Path out = logDir.resolve(log);
    Process p =
        new ProcessBuilder(command(List.of(), args))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.to(out.toFile()))
            .start();
    if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException(
          "estuary "
              + String.join(" ", args)
              + " took longer than "
              + seconds
              + " s ("
              + out
              + ")");
    }
    String text = Files.readString(out, StandardCharsets.UTF_8);
    if (p.exitValue() != 0) {
      throw new IOException(
          "estuary "
              + String.join(" ", args)
              + " failed (exit "
              + p.exitValue()
              + "): "
              + text.strip());
    }
    return text;
  }
}
