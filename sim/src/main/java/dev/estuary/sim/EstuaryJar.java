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
    // The launcher's defaults (./estuary): the servers run as an operator runs them. Its heap; on
    // JDK 22 and newer the native heap trimmed; on JDK 25 the jar's ahead-of-time cache when the
    // launcher has trained one, and the flags the launcher adds beside it, so a restarted replica
    // does not spend its first minute compiling (a cache that does not match this jar and JDK is
    // ignored by the JVM). A server also gets the group commit's priority where the launcher would
    // give it. Both sets of flags come from the launcher's own script (launcherFlags).
    cmd.add("-Xmx320m");
    int feature = Runtime.version().feature();
    if (feature >= 22) {
      cmd.add("-XX:TrimNativeHeapInterval=5000");
    }
    Path aot = aotCache();
    if (feature >= 25 && Files.isRegularFile(aot)) {
      cmd.add("-XX:AOTCache=" + aot);
      cmd.addAll(launcherFlags("estuary_aot_flags", Integer.toString(feature)));
    }
    if (!args.isEmpty() && args.get(0).equals("server")) {
      cmd.addAll(launcherFlags("estuary_priority_flags"));
    }
    cmd.addAll(jvm);
    cmd.add("-jar");
    cmd.add(jar.toString());
    cmd.addAll(args);
    return cmd;
  }

  /**
   * The flags a function of the launcher's {@code scripts/lib-jvm.sh} prints ({@code
   * estuary_priority_flags}: the group commit's priority; {@code estuary_aot_flags FEATURE}: what
   * goes beside the AOT cache), from the checkout above the jar ({@code
   * cli/target/estuary-all.jar}); none where that file is not found or the function prints none.
   */
  List<String> launcherFlags(String function, String... args) {
    Path lib = null;
    for (Path d = jar.toAbsolutePath().getParent(); d != null && lib == null; d = d.getParent()) {
      Path candidate = d.resolve("scripts").resolve("lib-jvm.sh");
      lib = Files.isRegularFile(candidate) ? candidate : null;
    }
    if (lib == null) {
      return List.of();
    }
    try {
      List<String> sh = new ArrayList<>(List.of("sh", "-c", ". \"$0\" && " + function + " \"$@\""));
      sh.add(lib.toString());
      sh.addAll(List.of(args));
      Process p = new ProcessBuilder(sh).redirectErrorStream(true).start();
      String flags = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0 || flags.isEmpty()) {
        return List.of();
      }
      return List.of(flags.split(" +"));
    } catch (IOException e) {
      return List.of();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return List.of();
    }
  }

  /**
   * Where the launcher keeps the jar's ahead-of-time cache: beside it, {@code .aot} for {@code
   * .jar}.
   */
  Path aotCache() {
    String name = jar.getFileName().toString();
    return jar.resolveSibling(
        (name.endsWith(".jar") ? name.substring(0, name.length() - 4) : name) + ".aot");
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
