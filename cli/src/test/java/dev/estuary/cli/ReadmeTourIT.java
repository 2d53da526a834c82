package dev.estuary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.estuary.cli.EstuaryJar.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's tour, as a newcomer pastes it: every block between {@code <!-- tour:begin -->} and
 * {@code <!-- tour:end -->}, read from README.md itself (not a copy), run as one bash script in an
 * empty directory with no server running. {@code ../estuary} there is the repository's launcher on
 * the jar this build made; the only change is free ports for the quickstart (other tests run beside
 * this one).
 */
@Timeout(value = 7, unit = TimeUnit.MINUTES)
class ReadmeTourIT {
  private static final Pattern BLOCK =
      Pattern.compile(
          "<!-- tour:begin -->\\s*```sh\\n(.*?)```\\s*<!-- tour:end -->", Pattern.DOTALL);

  @TempDir Path home;

  /** The tour's blocks, in README order. */
  static List<String> tourBlocks() throws Exception {
    String readme = Files.readString(root().resolve("README.md"));
    List<String> blocks = new ArrayList<>();
    Matcher m = BLOCK.matcher(readme);
    while (m.find()) {
      blocks.add(m.group(1));
    }
    return blocks;
  }

  @Test
  void theTourRunsToTheEndAsOneBlock() throws Exception {
    List<String> blocks = tourBlocks();
    assertThat(blocks).as("tour blocks in README.md").hasSizeGreaterThanOrEqualTo(4);
    assertThat(blocks.get(0)).startsWith("mkdir -p tour && cd tour\n").contains("--detach");
    assertThat(String.join("", blocks)).doesNotContain("<SERIAL", "<id>", "{id}?");

    Path launcher = home.resolve("estuary");
    Files.writeString(
        launcher,
        """
        #!/bin/sh
        # ../estuary in the tour: the repository's launcher on the jar under test, the quickstart on free ports.
        case "$1 $2" in "server --quickstart") set -- "$@" --est-port 0 --admin-port 0 ;; esac
        ESTUARY_JAR='%s' exec '%s' "$@"
        """
            .formatted(EstuaryJar.jar(), root().resolve("estuary")));
    launcher.toFile().setExecutable(true);

    // The whole tour (a first quickstart start, a 5 s bench, the agent's first pass) takes about
    // two minutes on a quiet machine.
    Result r =
        EstuaryJar.run(
            home,
            new ProcessBuilder("bash", "-c", "set -eo pipefail\n" + String.join("\n", blocks))
                .directory(home.toFile()),
            330);

    assertThat(r.code()).as(r.describe()).isZero();
    String out = r.out();
    assertThat(out).contains("IDevID.cert.pem: OK");
    assertThat(out).contains("subject=CN = my-device-id").contains("CA:TRUE, pathlen:0");
    assertThat(out).containsPattern("revoked [0-9a-f]+ \\(CN=aziot-edge CA my-device-id\\)");
    assertThat(out)
        .contains("\"status\":\"assigned\"")
        .contains("\"assignedHub\":\"hub.estuary.local\"");
    assertThat(out).contains("estid-").contains("deviceid-").contains("aziotedgedca-");
    assertThat(out).contains("stopped the server");
    // Everything the tour made is under tour/: nothing beside the launcher in the directory it
    // started in.
    try (Stream<Path> top = Files.list(home)) {
      assertThat(
              top.map(p -> p.getFileName().toString())
                  .filter(n -> !n.startsWith("out") && !n.startsWith("err")))
          .containsExactlyInAnyOrder("estuary", "tour");
    }
    assertThat(home.resolve("tour/IDevID.key.pem")).exists();
    assertThat(home.resolve("tour/estuary-data/server.pid")).doesNotExist();
  }

  /** A failed run must not leave its server behind. */
  @AfterEach
  void stopTheServerIfStillRunning() throws Exception {
    Path pid = home.resolve("tour/estuary-data/server.pid");
    if (Files.exists(pid)) {
      ProcessHandle.of(Long.parseLong(Files.readString(pid).strip()))
          .ifPresent(ProcessHandle::destroy);
    }
  }

  private static Path root() throws Exception {
    return Path.of(System.getProperty("estuary.root")).toRealPath();
  }
}
