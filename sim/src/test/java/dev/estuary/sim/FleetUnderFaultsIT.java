package dev.estuary.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Issue 14, must-hold 1: 1,000 simulated devices (the real agent each), accelerated, through the
 * lifecycle scenario (sim/scenarios/lifecycle.toml: a replica killed with SIGKILL every renewal
 * cycle, a database outage, an issuing-CA roll, a root roll and switch, network resets, skewed
 * clocks, revocations) against two replicas of the real server on a real PostgreSQL, all run as
 * {@code estuary sim} runs them: the simulator's jar, the servers from the estuary jar.
 *
 * <p>Bounded: a certificate lifetime of 10 simulated minutes at 3 times real speed (200 s real), 30
 * simulated minutes (10 minutes real), plus the set-up (under a minute on a quiet machine). At ×4
 * the promise held too on this 2-core machine, at ×6 it did not (docs/reliability.md, "Runs of 6
 * December 2026"): the speed leaves room for a machine that is busy with other work.
 *
 * <p>In the default suite; {@code -Destuary.sim.fleet=false} leaves it out of a quick local run.
 */
@EnabledIfSystemProperty(
    named = "estuary.sim.fleet",
    matches = "true",
    disabledReason = "left out with -Destuary.sim.fleet=false (docs/reliability.md)")
class FleetUnderFaultsIT {
  static final int DEVICES = Integer.getInteger("sim.it.devices", 1000);

  @Test
  void noDeviceEverWithoutAValidCertificateNothingLostNoDuplicateSerial() throws Exception {
    Path work = Path.of("target", "sim-it-lifecycle").toAbsolutePath();
    Path chart = Path.of("target", "sim-it-lifecycle.png").toAbsolutePath();
    List<String> cmd =
        new ArrayList<>(
            List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-jar",
                System.getProperty("estuary.sim.jar"),
                "--estuary-jar",
                System.getProperty("estuary.jar"),
                "--devices",
                String.valueOf(DEVICES),
                "--lifetime",
                "10m",
                "--speed",
                "3",
                "--duration",
                "30m",
                "--replicas",
                "2",
                "--scenario",
                Path.of("scenarios/lifecycle.toml").toAbsolutePath().toString(),
                "--work",
                work.toString(),
                "--json",
                "--chart",
                chart.toString()));
    // A fresh work directory each run: the simulator refuses a database that already exists.
    if (Files.exists(work)) {
      try (var files = Files.walk(work)) {
        files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
    Files.createDirectories(work);
    Path out = work.resolve("report.json");
    Path err = work.resolve("sim.log");
    Process p =
        new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(15, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("estuary sim did not finish in 15 minutes: " + err);
    }
    String log = Files.readString(err, StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(log).isIn(0, 3);
    JsonNode r = new ObjectMapper().readTree(out.toFile());
    String why = r.toPrettyString() + "\n" + log;

    assertThat(r.get("devices").asInt()).isEqualTo(DEVICES);
    // Every event of the scenario happened (a kill that would leave no replica up is skipped).
    for (JsonNode e : r.get("events")) {
      assertThat(e.get("outcome").asText()).as(why).matches("done|skipped.*");
    }
    assertThat(r.get("events"))
        .extracting(JsonNode::toString)
        .as(why)
        .anyMatch(s -> s.contains("kill -9") && s.contains("\"done\""))
        .anyMatch(s -> s.contains("db-stop"))
        .anyMatch(s -> s.contains("roll the issuing CA"))
        .anyMatch(s -> s.contains("roll-root"))
        .anyMatch(s -> s.contains("switch-root"));
    // The fleet went through the renewals: every device renewed both certificates at least twice.
    assertThat(r.get("renewals_succeeded").asLong()).as(why).isGreaterThanOrEqualTo(6L * DEVICES);
    // The promise.
    assertThat(r.get("devices_without_valid_certificate").asInt()).as(why).isZero();
    assertThat(r.get("lost_certificates").asInt()).as(why).isZero();
    assertThat(r.get("duplicate_serials").asInt()).as(why).isZero();
    assertThat(r.get("devices_never_enrolled").asInt()).as(why).isZero();
    assertThat(r.get("devices_not_assigned").asInt()).as(why).isZero();
    // The devices learned the new root through the link certificate.
    assertThat(r.get("roots_trusted_by_devices").toString()).as(why).isEqualTo("[2]");
    assertThat(r.get("promise_held").asBoolean()).as(why).isTrue();
    assertThat(p.exitValue()).isZero();
    assertThat(chart).isNotEmptyFile();
  }
}
