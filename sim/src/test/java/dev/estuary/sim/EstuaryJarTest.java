package dev.estuary.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The child JVMs start as the launcher starts a server: its heap, its AOT cache when there, and its
 * priority flags.
 */
class EstuaryJarTest {
  @TempDir Path dir;

  @Test
  void aServerStartsWithTheJarsAotCacheWhenTheLauncherTrainedOne() throws Exception {
    Path jar = Files.createFile(dir.resolve("estuary-all.jar"));
    EstuaryJar estuary = new EstuaryJar(jar, dir);
    List<String> without = estuary.command(List.of(), List.of("server"));
    assertThat(without).contains("-Xmx320m").noneMatch(a -> a.startsWith("-XX:AOTCache="));

    Files.createFile(dir.resolve("estuary-all.aot"));
    List<String> with = estuary.command(List.of(), List.of("server"));

    if (Runtime.version().feature() >= 25) {
      assertThat(with).contains("-XX:AOTCache=" + dir.resolve("estuary-all.aot"));
      assertThat(with.indexOf("-XX:AOTCache=" + dir.resolve("estuary-all.aot")))
          .isLessThan(with.indexOf("-jar"));
    } else {
      assertThat(with).noneMatch(a -> a.startsWith("-XX:AOTCache="));
    }
    assertThat(with.subList(with.indexOf("-jar"), with.size()))
        .containsExactly("-jar", jar.toString(), "server");
  }

  @Test
  void aServerGetsTheLaunchersPriorityFlagsAndOtherCommandsDoNot() throws Exception {
    Path scripts = Files.createDirectories(dir.resolve("scripts"));
    Files.writeString(
        scripts.resolve("lib-jvm.sh"),
        "estuary_priority_flags() { printf '%s\\n' '-XX:ThreadPriorityPolicy=1 -XX:Probe=7'; }\n");
    Path jar =
        Files.createFile(Files.createDirectories(dir.resolve("cli/target")).resolve("e.jar"));
    EstuaryJar estuary = new EstuaryJar(jar, dir);

    List<String> server = estuary.command(List.of(), List.of("server", "--config", "x"));
    List<String> factory = estuary.command(List.of(), List.of("factory"));

    assertThat(server.subList(0, server.indexOf("-jar")))
        .contains("-XX:ThreadPriorityPolicy=1", "-XX:Probe=7");
    assertThat(factory).doesNotContain("-XX:ThreadPriorityPolicy=1", "-XX:Probe=7");
  }

  @Test
  void besideTheAotCacheComeTheFlagsTheLaunchersScriptPrintsForThisJdk() throws Exception {
    Path scripts = Files.createDirectories(dir.resolve("scripts"));
    Files.writeString(
        scripts.resolve("lib-jvm.sh"),
        "estuary_aot_flags() { printf '%s\\n' \"-XX:+Unlock -XX:Probe=$1\"; }\n");
    Path target = Files.createDirectories(dir.resolve("cli/target"));
    Path jar = Files.createFile(target.resolve("e.jar"));
    Files.createFile(target.resolve("e.aot"));

    List<String> server = new EstuaryJar(jar, dir).command(List.of(), List.of("server"));

    int feature = Runtime.version().feature();
    if (feature >= 25) {
      assertThat(server.subList(0, server.indexOf("-jar")))
          .containsSubsequence(
              "-XX:AOTCache=" + target.resolve("e.aot"), "-XX:+Unlock", "-XX:Probe=" + feature);
    } else {
      assertThat(server).noneMatch(a -> a.startsWith("-XX:Probe="));
    }
  }

  @Test
  void noPriorityFlagsWithoutTheLaunchersScript() throws Exception {
    Path jar = Files.createFile(dir.resolve("alone.jar"));
    assertThat(new EstuaryJar(jar, dir).launcherFlags("estuary_priority_flags")).isEmpty();
  }
}
