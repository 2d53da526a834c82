package dev.estuary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What the tests of scripts/lib-jvm.sh share: calling one of its functions in {@code sh}, and
 * starting this JDK with the flags it printed.
 */
final class LibJvm {
  static final Path LIB = Path.of("..", "scripts", "lib-jvm.sh");

  private LibJvm() {}

  private static Process start(Map<String, String> env, String function, String... args)
      throws Exception {
    StringBuilder call = new StringBuilder(". \"$0\" && ").append(function);
    for (int i = 1; i <= args.length; i++) {
      call.append(" \"$").append(i).append('"');
    }
    List<String> command = new ArrayList<>(List.of("sh", "-c", call.toString(), LIB.toString()));
    command.addAll(List.of(args));
    ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true);
    b.environment().putAll(env);
    return b.start();
  }

  /** The words {@code function args} prints; it must succeed. */
  static List<String> words(Map<String, String> env, String function, String... args)
      throws Exception {
    Process p = start(env, function, args);
    String printed = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(printed).isZero();
    return printed.isEmpty() ? List.of() : List.of(printed.split(" +"));
  }

  /** Whether {@code function args} succeeds. */
  static boolean succeeds(String function, String... args) throws Exception {
    Process p = start(Map.of(), function, args);
    p.getInputStream().readAllBytes();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return p.exitValue() == 0;
  }

  /**
   * Runs this JDK's java with {@code arguments} (flags, then what to run) and returns what it
   * printed, once it exited 0 within a minute.
   */
  static String java(Path dir, List<String> arguments) throws Exception {
    List<String> command = new ArrayList<>(List.of(EstuaryJar.java()));
    command.addAll(arguments);
    Path out = dir.resolve("java-output.txt");
    Process p =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String printed = Files.readString(out);
    assertThat(p.exitValue()).as(printed).isZero();
    return printed;
  }
}
