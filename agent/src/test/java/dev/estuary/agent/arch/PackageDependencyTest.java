package dev.estuary.agent.arch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The agent's packages in layers: {@code daemon} assembles and drives the rest and nothing in the
 * agent depends on it; the registration ({@code provisioning}) is a task of the renewal engine, not
 * a hook of the daemon; the engine ({@code renewal}) knows no EST, HTTP, files or state; the state
 * records ({@code state}) know none of their owners.
 */
class PackageDependencyTest {
  private static final Path MAIN = Path.of("src/main/java/dev/estuary/agent");

  private static List<String> importsOf(String pkg) throws IOException {
    try (Stream<Path> files = Files.list(MAIN.resolve(pkg))) {
      return files
          .filter(f -> f.toString().endsWith(".java"))
          .flatMap(
              f -> {
                try {
                  return Files.readAllLines(f).stream()
                      .filter(l -> l.startsWith("import "))
                      .map(l -> f.getFileName() + ": " + l);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              })
          .toList();
    }
  }

  private static List<String> packages() throws IOException {
    try (Stream<Path> dirs = Files.list(MAIN)) {
      return dirs.filter(Files::isDirectory).map(d -> d.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void provisioningDoesNotDependOnTheDaemon() throws IOException {
    assertThat(importsOf("provisioning"))
        .isNotEmpty()
        .anyMatch(l -> l.contains("dev.estuary.agent.renewal.FollowUp"))
        .noneMatch(l -> l.contains("dev.estuary.agent.daemon"));
  }

  @Test
  void noPackageButTheDaemonItselfDependsOnTheDaemon() throws IOException {
    assertThat(packages()).contains("daemon", "provisioning", "renewal", "state");
    for (String pkg : packages()) {
      if (!pkg.equals("daemon")) {
        assertThat(importsOf(pkg)).as(pkg).noneMatch(l -> l.contains("dev.estuary.agent.daemon"));
      }
    }
  }

  @Test
  void theRenewalEngineKnowsNoEstNoFilesAndNoState() throws IOException {
    assertThat(importsOf("renewal"))
        .isNotEmpty()
        .allMatch(
            l ->
                !l.contains("dev.estuary.")
                    || l.contains("dev.estuary.agent.renewal.")
                    || l.contains("dev.estuary.agent.text."));
  }

  @Test
  void theStateRecordsKnowNoneOfTheirOwners() throws IOException {
    assertThat(importsOf("state"))
        .isNotEmpty()
        .noneMatch(
            l ->
                l.contains("dev.estuary.agent.provisioning")
                    || l.contains("dev.estuary.agent.est")
                    || l.contains("dev.estuary.agent.daemon"));
  }
}
