package dev.estuary.server.arch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The issuance policy sits above authentication: {@code server.policy} reads {@code server.auth}'s
 * {@code Caller}, and nothing in {@code server.auth} or {@code server.store} reads {@code
 * server.policy} (no package cycle); no HTTP status lives in the policy.
 */
class PackageDependencyTest {
  private static final Path MAIN = Path.of("src/main/java/dev/estuary/server");

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

  @Test
  void authenticationAndTheStoreDoNotDependOnThePolicy() throws IOException {
    assertThat(importsOf("auth"))
        .isNotEmpty()
        .noneMatch(l -> l.contains("dev.estuary.server.policy"));
    assertThat(importsOf("store"))
        .isNotEmpty()
        .noneMatch(
            l -> l.contains("dev.estuary.server.policy") || l.contains("dev.estuary.server.auth"));
  }

  @Test
  void thePolicyKnowsNoHttp() throws IOException {
    assertThat(importsOf("policy"))
        .isNotEmpty()
        .noneMatch(
            l ->
                l.contains("dev.estuary.server.http")
                    || l.contains("org.eclipse.jetty")
                    || l.contains("dev.estuary.server.store"));
  }

  /**
   * The application layer (issue 12) sits under the handlers: its services check roles and do the
   * work; the wire (HTTP, JSON, statuses) stays in the handlers.
   */
  @Test
  void theApplicationLayerKnowsNoHttpAndNoHandler() throws IOException {
    assertThat(importsOf("app"))
        .isNotEmpty()
        .noneMatch(
            l ->
                l.contains("dev.estuary.server.http")
                    || l.contains("org.eclipse.jetty")
                    || l.contains("com.fasterxml.jackson")
                    || l.contains("dev.estuary.server.admin")
                    || l.contains("dev.estuary.server.provisioning"));
  }

  /** The audit log is below everything that records into it: it imports no other server package. */
  @Test
  void theAuditLogDependsOnNoOtherServerPackage() throws IOException {
    assertThat(importsOf("audit"))
        .isNotEmpty()
        .noneMatch(
            l -> l.contains("dev.estuary.server.") && !l.contains("dev.estuary.server.audit"));
  }
}
