package dev.estuary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 4, point 5: {@code estuary demo} (the jar, as a newcomer runs it) plays the whole story —
 * IDevID, EST identity, device identity, Edge CA, assignment, automatic renewal, re-registration —
 * exits 0, and leaves no directory behind.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class DemoIT {
  @TempDir Path work;

  @Test
  void theDemoTellsTheWholeStoryAndCleansUp() throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(
            EstuaryJar.java(), "-Djava.io.tmpdir=" + work, "-jar", EstuaryJar.jar(), "demo");
    EstuaryJar.Result r = EstuaryJar.run(work, pb);
    assertThat(r.code()).as(r.describe()).isZero();
    assertThat(r.out())
        .containsPattern("factory +IDevID CN=IDevID issued with the bootstrap secret")
        .contains("est-id: CN=IDevID")
        .contains("device-id: CN=my-device-id (clientAuth)")
        .contains("aziot-edged-ca: CN=aziot-edge CA (CA:TRUE pathlen 0)")
        .contains(
            "registered with the provisioning service: hub hub.estuary.local, device id my-device-id (initialAssignment)")
        .containsPattern("device-id: renewed automatically, new key")
        .contains("(reprovisionedToInitialAssignment)")
        .contains("done:");
    assertThat(r.out().indexOf("renewed automatically"))
        .isLessThan(r.out().indexOf("(reprovisionedToInitialAssignment)"));
    Matcher cleaned = Pattern.compile("cleaned up (\\S+)").matcher(r.out());
    assertThat(cleaned.find()).isTrue();
    assertThat(Path.of(cleaned.group(1))).doesNotExist();
    try (var left = Files.list(work)) {
      assertThat(left.map(p -> p.getFileName().toString()))
          .noneMatch(n -> n.startsWith("estuary-demo-"));
    }
  }
}
