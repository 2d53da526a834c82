package dev.estuary.cli;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code estuary server --detach}: the same server in a background process (same java, same JVM
 * options, same jar), its output appended to {@code server.log}; returns once the server serves,
 * which it says by writing {@code server.pid}, or with the server's own one-line reason when it
 * stopped first.
 */
final class Detached {
  static final String LOG = "server.log";
  private static final Duration READY_WITHIN = Duration.ofMinutes(3);

  private Detached() {}

  static int start(Path runDir, List<String> serverArgs, Path quickstartInfo)
      throws IOException, InterruptedException {
    PidFile pidFile = new PidFile(runDir);
    Optional<ProcessHandle> already = pidFile.running();
    if (already.isPresent()) {
      throw new CliFailure(
          CliFailure.FAILED,
          "a server started from "
              + runDir
              + " is already running (pid "
              + already.get().pid()
              + "); estuary server stop stops it");
    }
    Files.createDirectories(runDir);
    Path log = runDir.resolve(LOG);
    long logStart = Files.exists(log) ? Files.size(log) : 0;
    ProcessBuilder pb =
        new ProcessBuilder(command(serverArgs))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    Process child = pb.start();
    Instant deadline = Instant.now().plus(READY_WITHIN);
    while (pidFile.read().filter(pid -> pid == child.pid()).isEmpty()) {
      if (!child.isAlive()) {
        throw new CliFailure(
            child.exitValue() == 0 ? CliFailure.FAILED : child.exitValue(),
            reason(log, logStart, child.exitValue()));
      }
      if (Instant.now().isAfter(deadline)) {
        child.destroy();
        throw new CliFailure(
            CliFailure.FAILED,
            "the server did not serve within " + READY_WITHIN.toMinutes() + " minutes; see " + log);
      }
      Thread.sleep(100);
    }
    if (quickstartInfo != null) {
      System.out.println(
          "Quickstart credentials and URLs (kept in " + quickstartInfo + ", mode 0600):");
      System.out.println(Files.readString(quickstartInfo).strip());
    }
    System.out.println(
        "The server runs in the background (pid "
            + child.pid()
            + "), its log in "
            + log
            + "; stop it with: estuary server stop"
            + (quickstartInfo != null ? " --data-dir " + runDir : " --config FILE"));
    return 0;
  }

  /** The server's own last "estuary ...: reason" line from this start, or where to look. */
  private static String reason(Path log, long from, int exit) throws IOException {
    byte[] all = Files.readAllBytes(log);
    String ours =
        new String(
            all,
            (int) Math.min(from, all.length),
            (int) (all.length - Math.min(from, all.length)),
            StandardCharsets.UTF_8);
    String last = null;
    for (String line : ours.split("\\R")) {
      if (line.startsWith("estuary server: ")) {
        last = line.substring("estuary server: ".length());
      }
    }
    return last != null
        ? last
        : "the server stopped (exit " + exit + ") before serving; see " + log;
  }

  /**
   * java [the JVM options of this process] -jar estuary-all.jar ARGS, under setsid when there is
   * one (leaves the terminal's session).
   */
  private static List<String> command(List<String> serverArgs) {
    List<String> cmd = new ArrayList<>();
    if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
      cmd.add("/usr/bin/setsid");
    }
    cmd.add(
        ProcessHandle.current()
            .info()
            .command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
    Path code = codeLocation();
    if (code.toString().endsWith(".jar")) {
      cmd.add("-jar");
      cmd.add(code.toString());
    } else {
      cmd.add("-cp");
      cmd.add(System.getProperty("java.class.path"));
      cmd.add(Estuary.class.getName());
    }
    cmd.addAll(serverArgs);
    return cmd;
  }

  private static Path codeLocation() {
    try {
      return Path.of(Estuary.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
