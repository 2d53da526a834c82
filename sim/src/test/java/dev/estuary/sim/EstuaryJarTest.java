package dev.estuary.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The child JVMs start as the launcher starts a server: its heap, and its AOT cache when there. */
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
}
