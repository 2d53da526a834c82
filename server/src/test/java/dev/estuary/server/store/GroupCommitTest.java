package dev.estuary.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/**
 * The committer's priority: raised while it commits a batch, the normal one while it waits; the one
 * priority the launcher's flags (scripts/lib-jvm.sh) raise.
 */
class GroupCommitTest {
  private static final String NAME = "priority-test";

  @Test
  void theCommitterCommitsAtItsOwnPriorityAndWaitsAtTheNormalOne() {
    List<Integer> seen = new CopyOnWriteArrayList<>();
    GroupCommit.Batch<String> batch =
        new GroupCommit.Batch<>() {
          @Override
          public Map<String, RuntimeException> write(Handle handle, List<String> items) {
            seen.add(Thread.currentThread().getPriority());
            handle.execute("INSERT INTO t VALUES (?)", items.get(0));
            return GroupCommit.refusals();
          }

          @Override
          public void writeAlone(String item) {
            throw new AssertionError("no batch failed");
          }
        };
    Jdbi jdbi = Jdbi.create("jdbc:h2:mem:group-commit-priority;DB_CLOSE_DELAY=-1");
    jdbi.useHandle(h -> h.execute("CREATE TABLE t (v VARCHAR(10))"));
    try (GroupCommit<String> commit = new GroupCommit<>(jdbi, batch, NAME)) {
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> committer().map(Thread::getState).orElse(null) == Thread.State.WAITING);
      assertThat(committer().orElseThrow().getPriority()).isEqualTo(Thread.NORM_PRIORITY);

      commit.write("a");
      commit.write("b");

      assertThat(seen)
          .containsExactly(GroupCommit.COMMITTER_PRIORITY, GroupCommit.COMMITTER_PRIORITY);
      assertThat(GroupCommit.COMMITTER_PRIORITY).isNotEqualTo(Thread.NORM_PRIORITY);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> committer().orElseThrow().getPriority() == Thread.NORM_PRIORITY);
      int rows = jdbi.withHandle(h -> h.select("SELECT COUNT(*) FROM t").mapTo(int.class).one());
      assertThat(rows).isEqualTo(2);
    }
  }

  @Test
  void theLaunchersFlagsRaiseTheCommittersPriorityAlone() throws Exception {
    String lib = Files.readString(Path.of("..", "scripts", "lib-jvm.sh"));
    String priority = Integer.toString(GroupCommit.COMMITTER_PRIORITY);
    assertThat(lib)
        .contains("\"-XX:JavaPriority" + priority + "_To_OSPriority=$ESTUARY_COMMITTER_NICE\"");
    Matcher others = Pattern.compile("for _n in ([0-9 ]+); do").matcher(lib);
    assertThat(others.find()).as("the loop mapping the other priorities to nice 0").isTrue();
    assertThat(others.group(1).split(" "))
        .doesNotContain(priority)
        .hasSize(9); // Java priorities 1 to 10 but the committer's
  }

  private static Optional<Thread> committer() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals("estuary-group-commit-" + NAME))
        .findFirst();
  }
}
