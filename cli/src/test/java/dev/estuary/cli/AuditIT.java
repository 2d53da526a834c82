package dev.estuary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.estuary.cli.EstuaryJar.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/audit.md, run as the document says with the jar: {@code estuary server audit verify} and
 * {@code export} while a quickstart server runs (its H2 file is held: read through the admin API),
 * then with it stopped (read from the database), then after a record was changed directly in the
 * database with H2's shell: exit 1, naming the record.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class AuditIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final MarkdownBlocks DOC = MarkdownBlocks.of(Path.of("..", "docs", "audit.md"));

  @TempDir Path work;

  @Test
  void verifyAndExportAsTheDocumentRunsThemThenAChangedRecordIsNamed() throws Exception {
    Path data = work.resolve("estuary-data");
    Process server = EstuaryJar.startQuickstart(data, work.resolve("server.log"));
    try {
      Result created =
          EstuaryJar.run(
              work,
              "server",
              "secret",
              "create",
              "--label",
              "idevid",
              "--data-dir",
              data.toString());
      assertThat(created.code()).as(created.describe()).isZero();

      Result running = sh(DOC.block("## 3.", "sh", 0));
      assertThat(running.code()).as(running.describe()).isZero();
      assertThat(running.out()).contains("audit log intact:", "admin API");

      Result export = sh(DOC.block("## 3.", "sh", 1));
      assertThat(export.code()).as(export.describe()).isZero();
      List<String> lines = Files.readAllLines(work.resolve("audit.jsonl"));
      assertThat(lines).hasSizeGreaterThanOrEqualTo(3);
      JsonNode first = JSON.readTree(lines.get(0));
      assertThat(first.get("id").asLong()).isEqualTo(1);
      assertThat(first.get("event").asText())
          .as("the quickstart's factory secret, made before the first start")
          .isEqualTo("secret.created");
      assertThat(first.get("actor").asText()).isEqualTo("system");
      JsonNode started =
          lines.stream()
              .map(AuditIT::json)
              .filter(n -> n.get("event").asText().equals("server.started"))
              .findFirst()
              .orElseThrow();
      assertThat(started.get("details").get("digest").asText()).hasSize(64);
      assertThat(lines).anySatisfy(l -> assertThat(l).contains("\"secret.created\""));
      assertThat(String.join("\n", lines))
          .doesNotContain(
              JSON.readTree(data.resolve("quickstart.json").toFile()).get("admin_token").asText());

      // Stopped, then a record changed directly in the database: verify names it.
      Result tampered = sh(DOC.block("## 4.", "sh", 0));
      assertThat(tampered.out() + tampered.err())
          .as(tampered.describe())
          .contains("record 2: its fields do not match its hash", "exit 1");
      server.waitFor(30, TimeUnit.SECONDS);
    } finally {
      server.destroy();
      server.waitFor(20, TimeUnit.SECONDS);
      server.destroyForcibly();
    }
  }

  @Test
  void anUntouchedLogVerifiesFromTheDatabaseWithTheServerStopped() throws Exception {
    Path data = work.resolve("estuary-data");
    Result init =
        EstuaryJar.run(
            work,
            "server",
            "--quickstart",
            "--data-dir",
            data.toString(),
            "--est-port",
            "0",
            "--admin-port",
            "0",
            "--detach");
    assertThat(init.code()).as(init.describe()).isZero();
    Result stop = EstuaryJar.run(work, "server", "stop", "--data-dir", data.toString());
    assertThat(stop.code()).as(stop.describe()).isZero();

    Result verify =
        EstuaryJar.run(work, "server", "audit", "verify", "--data-dir", data.toString());

    assertThat(verify.code()).as(verify.describe()).isZero();
    assertThat(verify.out()).contains("audit log intact:", "read from the database");
  }

  private static JsonNode json(String line) {
    try {
      return JSON.readTree(line);
    } catch (IOException e) {
      throw new AssertionError(line, e);
    }
  }

  /** A shell block of the document, with {@code estuary} the jar and the jar as estuary-all.jar. */
  private Result sh(String block) throws Exception {
    Files.deleteIfExists(work.resolve("estuary-all.jar"));
    Files.createSymbolicLink(work.resolve("estuary-all.jar"), Path.of(EstuaryJar.jar()));
    String script =
        "estuary() { '"
            + EstuaryJar.java()
            + "' -jar '"
            + EstuaryJar.jar()
            + "' \"$@\"; }\njava() { '"
            + EstuaryJar.java()
            + "' \"$@\"; }\n"
            + block;
    return EstuaryJar.sh(work, script);
  }
}
