package dev.estuary.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/lib-jvm.sh's flags beside the server's AOT cache: on JDK 25 the eager compilation of the
 * methods the cache holds profiles of, which this JDK takes without a word; on any other release,
 * or with {@code ESTUARY_AOT_EAGER=0}, nothing. And the Java release it reads from a JDK.
 */
class AotFlagsTest {
  @Test
  void onJdk25TheCachedProfilesAreCompiledEagerlyAndTheJvmTakesTheFlagsSilently(@TempDir Path dir)
      throws Exception {
    List<String> flags = LibJvm.words(Map.of(), "estuary_aot_flags", "25");
    assertThat(flags).containsExactly("-XX:+UnlockExperimentalVMOptions", "-XX:+AOTCompileEagerly");

    assumeTrue(Runtime.version().feature() == 25, "the flags are checked on the JDK they are for");
    List<String> arguments = new ArrayList<>(flags);
    arguments.add("-version");
    assertThat(LibJvm.java(dir, arguments))
        .doesNotContainIgnoringCase("warning")
        .doesNotContain("Unrecognized");
  }

  @Test
  void otherReleasesAndEagerOffGetTheCacheAlone() throws Exception {
    assertThat(LibJvm.words(Map.of(), "estuary_aot_flags", "21")).isEmpty();
    assertThat(LibJvm.words(Map.of(), "estuary_aot_flags", "26")).isEmpty();
    assertThat(LibJvm.words(Map.of("ESTUARY_AOT_EAGER", "0"), "estuary_aot_flags", "25")).isEmpty();
  }

  @Test
  void theJavaReleaseIsReadFromTheJdksReleaseFile(@TempDir Path dir) throws Exception {
    assertThat(LibJvm.words(Map.of(), "estuary_java_feature", System.getProperty("java.home")))
        .containsExactly(Integer.toString(Runtime.version().feature()));
    assertThat(LibJvm.words(Map.of(), "estuary_java_feature", dir.toString())).containsExactly("0");
  }

  @Test
  void theCacheIsUsedOnJdk25AndLaterWhenItWasMadeAfterTheJar(@TempDir Path dir) throws Exception {
    Path jar = Files.createFile(dir.resolve("e.jar"));
    Path cache = dir.resolve("e.aot");
    assertThat(usable(cache, jar, "25")).as("no cache").isFalse();
    Files.createFile(cache);
    Files.setLastModifiedTime(jar, FileTime.fromMillis(1_000_000_000_000L));
    Files.setLastModifiedTime(cache, FileTime.fromMillis(1_000_000_060_000L));
    assertThat(usable(cache, jar, "25")).isTrue();
    assertThat(usable(cache, jar, "26")).isTrue();
    assertThat(usable(cache, jar, "21")).as("before JDK 25").isFalse();
    Files.setLastModifiedTime(jar, FileTime.fromMillis(1_000_000_120_000L));
    assertThat(usable(cache, jar, "25")).as("the jar rebuilt after it").isFalse();
  }

  private static boolean usable(Path cache, Path jar, String feature) throws Exception {
    return LibJvm.succeeds("estuary_aot_usable", cache.toString(), jar.toString(), feature);
  }
}
