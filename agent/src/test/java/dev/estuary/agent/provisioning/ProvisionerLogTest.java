package dev.estuary.agent.provisioning;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import dev.estuary.agent.config.DeviceIdentity;
import dev.estuary.agent.config.Provisioning;
import dev.estuary.agent.config.X509Credential;
import dev.estuary.agent.credential.EstCredential;
import dev.estuary.agent.renewal.CertificateInfo;
import dev.estuary.agent.renewal.FailureKind;
import dev.estuary.agent.renewal.Jitter;
import dev.estuary.agent.renewal.ManagedCredential;
import dev.estuary.agent.renewal.Renewable;
import dev.estuary.agent.renewal.RenewalAttempt;
import dev.estuary.agent.renewal.RenewalEngine;
import dev.estuary.agent.renewal.RenewalOutcome;
import dev.estuary.agent.renewal.RenewalPolicy;
import dev.estuary.agent.renewal.RenewalSchedule;
import dev.estuary.agent.state.StateFile;
import dev.estuary.agent.store.FileKeys;
import dev.estuary.agent.store.KeyHandle;
import dev.estuary.agent.testing.LogLines;
import dev.estuary.agent.testing.ScriptedEstServer;
import dev.estuary.agent.testing.ScriptedEstServer.Answer;
import dev.estuary.agent.testing.ScriptedEstServer.Response;
import dev.estuary.agent.testing.TestCa;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16 point 5: what a provisioning service answers ({@code assignedHub}, {@code deviceId},
 * {@code substatus}, {@code status}) reaches the log with its control characters escaped: a CR LF
 * cannot forge a log line, an ESC cannot drive the terminal.
 */
class ProvisionerLogTest {
  private static final String FORGED =
      "\r\n16:00:00.000 INFO  Provisioner forged line \u001b[2J\u0085";

  private static TestCa ca;
  private static ScriptedEstServer dps;

  @TempDir Path dir;

  @BeforeAll
  static void start() throws Exception {
    ca = new TestCa();
    dps = ScriptedEstServer.start(ca);
  }

  @AfterAll
  static void stop() {
    dps.close();
  }

  @Test
  void anAssignmentIsLoggedWithItsControlCharactersEscaped() throws Exception {
    dps.reset();
    dps.always(
        json(
            "{\"operationId\": \"op\", \"status\": \"assigned\", \"registrationState\": {\"assignedHub\": \"hub.example.net"
                + escapeJson(FORGED)
                + "\", \"deviceId\": \"dev-1"
                + escapeJson(FORGED)
                + "\", \"substatus\": \"initialAssignment"
                + escapeJson(FORGED)
                + "\"}}"));

    List<String> lines = register();

    assertThat(lines)
        .anySatisfy(
            l ->
                assertThat(l)
                    .contains("assigned to hub hub.example.net\\u000d\\u000a16:00:00.000 INFO"));
    assertThat(lines).allSatisfy(ProvisionerLogTest::hasNoControlCharacter);
  }

  @Test
  void aFailedRegistrationIsLoggedWithItsControlCharactersEscaped() throws Exception {
    dps.reset();
    dps.always(
        json(
            "{\"operationId\": \"op\", \"status\": \"disabled"
                + escapeJson(FORGED)
                + "\", \"registrationState\": {\"errorMessage\": \"no"
                + escapeJson(FORGED)
                + "\"}}"));

    List<String> lines = register();

    assertThat(lines).anySatisfy(l -> assertThat(l).contains("disabled\\u000d\\u000a"));
    assertThat(lines).allSatisfy(ProvisionerLogTest::hasNoControlCharacter);
  }

  private List<String> register() throws Exception {
    KeyHandle key =
        new FileKeys(dir.resolve("keys"), "ec-p256", new SecureRandom()).generate("device-id");
    EstCredential.Pair pair =
        new EstCredential.Pair(List.of(ca.client("dev-1", key.publicKey())), key);
    Provisioning.Dps config =
        new Provisioning.Dps(
            URI.create("https://127.0.0.1:" + dps.base().getPort() + "/"),
            "0ne00000001",
            "dev-1",
            new DeviceIdentity.Preloaded(
                new X509Credential(dir.resolve("c.pem").toUri(), dir.resolve("k.pem").toUri())));
    Provisioner provisioner =
        new Provisioner(
            config,
            () -> Optional.of(pair),
            new DpsClient(
                () -> List.of(ca.certificate()), Duration.ofSeconds(10), Clock.systemUTC()),
            StateFile.open(dir, Clock.systemUTC()).provisioning(),
            Clock.systemUTC());
    // The registration runs as a task of the engine, after the device identity it registers.
    Renewable deviceId =
        new Renewable() {
          @Override
          public String id() {
            return "device-id";
          }

          @Override
          public Optional<CertificateInfo> current() {
            return Optional.of(pair.info());
          }

          @Override
          public RenewalOutcome renew(RenewalAttempt attempt) {
            return RenewalOutcome.Failed.of(FailureKind.LOCAL, "not in this test");
          }
        };
    RenewalEngine engine =
        new RenewalEngine(
            Clock.systemUTC(),
            List.of(
                new ManagedCredential(
                    deviceId, new RenewalSchedule(RenewalPolicy.DEFAULT, Jitter.none()), false)),
            List.of(provisioner));
    try (LogLines logs = new LogLines(Level.INFO)) {
      engine.tick();
      assertThat(dps.requests()).isNotEmpty();
      return logs.all();
    }
  }

  private static void hasNoControlCharacter(String line) {
    assertThat(line.chars().filter(c -> c < 0x20 || (c >= 0x7f && c <= 0x9f))).as(line).isEmpty();
  }

  private static Answer json(String body) {
    return Answer.with(
        Response.ok("application/json; charset=utf-8", body.getBytes(StandardCharsets.UTF_8)));
  }

  private static String escapeJson(String s) {
    StringBuilder out = new StringBuilder();
    for (char c : s.toCharArray()) {
      out.append(c < 0x20 || c >= 0x7f ? String.format("\\u%04x", (int) c) : String.valueOf(c));
    }
    return out.toString();
  }
}
