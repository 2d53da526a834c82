package dev.estuary.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/lib-jvm.sh, which the launcher sources: where the process may raise a thread's priority,
 * its flags give Java priority 7 (the group commit's while it commits) nice -5 and leave every
 * other thread, the JDK's own included, at nice 0; {@code ESTUARY_COMMITTER_NICE=0} turns them off.
 */
class CommitterPriorityTest {
  @Test
  void onlyTheCommittersPriorityIsRaisedAndTheJvmTakesTheFlagsSilently(@TempDir Path dir)
      throws Exception {
    List<String> flags = flags(Map.of());
    assumeTrue(!flags.isEmpty(), "not root with CAP_SYS_NICE here: the launcher adds no flags");
    List<String> arguments = new ArrayList<>(flags);
    arguments.addAll(List.of("-cp", System.getProperty("java.class.path"), Probe.class.getName()));
    String printed = LibJvm.java(dir, arguments);
    assertThat(printed)
        .contains("priority 7: nice -5", "priority 5: nice 0", "Reference Handl: nice 0")
        .doesNotContain("warning", "Unrecognized");
  }

  @Test
  void aCommitterNiceOfZeroAddsNoFlags() throws Exception {
    assertThat(flags(Map.of("ESTUARY_COMMITTER_NICE", "0"))).isEmpty();
  }

  private static List<String> flags(Map<String, String> env) throws Exception {
    return LibJvm.words(env, "estuary_priority_flags");
  }

  /** Prints the nice value of a thread at priority 7, one at 5, and the JDK's reference handler. */
  public static final class Probe {
    public static void main(String[] args) throws Exception {
      for (int priority : new int[] {7, 5}) {
        String[] nice = new String[1];
        Thread t = new Thread(() -> nice[0] = niceOf(Path.of("/proc/thread-self/stat")));
        t.setPriority(priority);
        t.start();
        t.join();
        System.out.println("priority " + priority + ": nice " + nice[0]);
      }
      try (var tasks = Files.list(Path.of("/proc/self/task"))) {
        for (Path task : tasks.toList()) {
          String name = Files.readString(task.resolve("comm")).strip();
          if (name.equals("Reference Handl")) {
            System.out.println(name + ": nice " + niceOf(task.resolve("stat")));
          }
        }
      }
    }

    /** Field 19 of a stat file, counted after the ')' that ends the thread's name. */
    static String niceOf(Path stat) {
      try {
        String s = Files.readString(stat);
        return s.substring(s.lastIndexOf(')') + 2).split(" ")[16];
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
