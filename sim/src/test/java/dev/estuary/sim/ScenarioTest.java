package dev.estuary.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScenarioTest {
  @TempDir Path dir;

  @Test
  void theLifecycleScenarioReadsInTimeOrder() {
    Scenario s = Scenario.read(Path.of("scenarios/lifecycle.toml"));
    assertThat(s.events())
        .extracting(Scenario.Event::kind)
        .contains(
            "kill-replica",
            "db-stop",
            "db-start",
            "roll-ca",
            "roll-root",
            "switch-root",
            "revoke",
            "skew",
            "net");
    assertThat(s.events()).isSortedAccordingTo((a, b) -> a.at().compareTo(b.at()));
    Scenario.Event kill =
        s.events().stream().filter(e -> e.kind().equals("kill-replica")).findFirst().orElseThrow();
    assertThat(kill.every()).isEqualTo(Duration.ofMinutes(8));
    assertThat(kill.restartAfter()).isEqualTo(Duration.ofMinutes(1));
    Scenario.Event skew =
        s.events().stream().filter(e -> e.kind().equals("skew")).findFirst().orElseThrow();
    assertThat(skew.skew()).isEqualTo(Duration.ofMinutes(1));
    assertThat(skew.devices()).isEqualTo(5);
  }

  @Test
  void aClockBehindIsANegativeSkew() throws Exception {
    Path f = write("[[event]]\nat = \"1m\"\ndo = \"skew\"\ndevices = 3\nby = \"30s\"\n");
    assertThat(Scenario.read(f).events().getFirst().skew()).isEqualTo(Duration.ofSeconds(-30));
  }

  @Test
  void everyProblemIsReportedAtOnceWithItsKey() throws Exception {
    Path f =
        write(
            """
            [[event]]
            at = "soon"
            do = "net"
            fault = "drop"

            [[event]]
            do = "explode"

            [[event]]
            at = "5m"
            do = "roll-ca"
            lable = "device-id"
            """);
    assertThatThrownBy(() -> Scenario.read(f))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("event[0].at: 'soon' is not a duration")
        .hasMessageContaining("event[0].fault")
        .hasMessageContaining("event[0].for: is missing")
        .hasMessageContaining("event[1].do")
        .hasMessageContaining("event[1].at: is missing")
        .hasMessageContaining("event[2].lable")
        .hasMessageContaining("event[2].label: is missing");
  }

  @Test
  void aSyntaxErrorNamesTheLine() throws Exception {
    Path f = write("[[event]]\nat = \"1m\nkind\n");
    assertThatThrownBy(() -> Scenario.read(f)).hasMessageContaining("scenario.toml:");
  }

  private Path write(String text) throws Exception {
    Path f = dir.resolve("scenario.toml");
    Files.writeString(f, text);
    return f;
  }
}
