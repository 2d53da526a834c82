package dev.estuary.agent.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.estuary.agent.check.AgentCheck;
import dev.estuary.agent.check.CheckResult;
import dev.estuary.agent.renewal.CredentialStatus;
import dev.estuary.agent.renewal.RenewalOutcome;
import dev.estuary.agent.store.CertificateFiles;
import dev.estuary.agent.store.ConfiguredKeys;
import dev.estuary.agent.store.FileKeys;
import dev.estuary.agent.store.KeyHandle;
import dev.estuary.agent.testing.EdgeCaDevice;
import dev.estuary.agent.testing.LogLines;
import dev.estuary.agent.testing.ScriptedEstServer;
import dev.estuary.agent.testing.ScriptedEstServer.Answer;
import dev.estuary.agent.testing.ScriptedEstServer.Response;
import dev.estuary.agent.testing.TestCa;
import dev.estuary.pki.CertificateProfile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Stream;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 16, point 1: a rogue EST server that the agent's TLS check accepts (real TLS on loopback,
 * its server certificate under the device's trusted root) answers a renewal of the Edge CA with
 * each bad certificate. The agent installs none of them: its keys and certificates stay byte for
 * byte, and it logs one line naming what was wrong. A certificate that does not chain, installed
 * before the agent checked answers, fails {@code agent check} and is replaced at the next start.
 */
class RogueEstServerTest {
  private static final String CN = "aziot-edge CA";

  private static TestCa ca;
  private static TestCa rogue;
  private static ScriptedEstServer server;

  @TempDir Path dir;
  private EdgeCaDevice device;
  private Agent agent;
  private AgentDaemon daemon;
  private LogLines logs;

  @BeforeAll
  static void startServer() throws Exception {
    ca = TestCa.root("Estuary Test Root", Duration.ofDays(3 * 365));
    rogue = TestCa.root("Rogue Root", Duration.ofDays(36_500));
    server = ScriptedEstServer.start(ca); // TLS certificate from the device's own trusted root
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @BeforeEach
  void installGenuineEdgeCa() throws Exception {
    server.reset();
    server.always(EdgeCaDevice.server(ca));
    device = EdgeCaDevice.write(dir, server.base("edge-ca"), ca);
    agent = Agent.open(device.agentConfig(), Clock.systemUTC());
    daemon = AgentDaemon.of(agent);
    daemon.step();
    assertThat(agent.credential(EdgeCaDevice.EDGE_CA).orElseThrow().pair())
        .as("the genuine Edge CA")
        .isPresent();
    logs = new LogLines();
  }

  @AfterEach
  void stopAgent() {
    logs.close();
    agent.close();
  }

  static Stream<Arguments> badAnswers() {
    Instant now = Instant.now();
    Answer untrusted100Years =
        rogueServer(
            spki ->
                rogue.issue(
                    CN,
                    null,
                    spki,
                    CertificateProfile.edgeCa(Duration.ofDays(36_000)),
                    now.minusSeconds(60),
                    now.plus(Duration.ofDays(36_000))));
    Answer anotherName = rogueServer(spki -> ca.edgeCa("another-gateway", spki));
    Answer nextYear =
        rogueServer(
            spki ->
                ca.issue(
                    CN,
                    null,
                    spki,
                    CertificateProfile.edgeCa(TestCa.VALIDITY),
                    now.plus(Duration.ofDays(365)),
                    now.plus(Duration.ofDays(395))));
    Answer thousand =
        r -> {
          if (r.uri().getPath().endsWith("/cacerts")) {
            return Response.certs(ca.certificate());
          }
          List<X509Certificate> chain = new ArrayList<>();
          chain.add(ca.edgeCa(CN, r.csr().publicKeyInfo()));
          for (int i = 0; i < 999; i++) {
            chain.add(ca.certificate());
          }
          return Response.certs(chain.toArray(X509Certificate[]::new));
        };
    Answer untrustedEdgeCa = rogueServer(spki -> rogue.edgeCa(CN, spki));
    return Stream.of(
        Arguments.of(
            "an Edge CA from an untrusted root, valid for 100 years",
            untrusted100Years,
            "(issuer 'CN=Rogue Root') does not chain to trusted_certs"),
        Arguments.of(
            "another common name",
            anotherName,
            "is for 'CN=another-gateway', not CN=aziot-edge CA as requested"),
        Arguments.of("valid from next year", nextYear, "is not valid before"),
        Arguments.of(
            "a 1000-certificate chain",
            thousand,
            "holds 1000 certificates; at most 10 are accepted"),
        Arguments.of(
            "an Edge CA from an untrusted root",
            untrustedEdgeCa,
            "(issuer 'CN=Rogue Root') does not chain to trusted_certs"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badAnswers")
  void aBadCertificateChangesNothingAndOneLogLineNamesWhatWasWrong(
      String name, Answer answer, String reason) throws Exception {
    Map<String, String> before =
        filesUnder(device.stateDir().resolve("keys"), device.stateDir().resolve("certs"));
    server.reset();
    server.always(answer);

    RenewRequests.submit(device.stateDir(), EdgeCaDevice.EDGE_CA);
    List<CredentialStatus> attempted = daemon.step();

    assertThat(attempted)
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.lastOutcome()).containsInstanceOf(RenewalOutcome.Failed.class);
              assertThat(s.lastError()).hasValueSatisfying(e -> assertThat(e).contains(reason));
            });
    assertThat(server.requests()).as("the rogue was asked").isNotEmpty();
    assertThat(filesUnder(device.stateDir().resolve("keys"), device.stateDir().resolve("certs")))
        .isEqualTo(before);
    assertThat(logs.warnings())
        .singleElement()
        .satisfies(line -> assertThat(line).contains(EdgeCaDevice.EDGE_CA).contains(reason));
  }

  @Test
  void anInstalledCertificateThatDoesNotChainFailsTheCheckAndIsReplacedAtTheNextStart()
      throws Exception {
    // As a rogue server could install it before the agent checked answers: the agent's own key,
    // a certificate from an untrusted root, recorded as the agent's own.
    KeyHandle key =
        ConfiguredKeys.readPem(
            FileKeys.path(device.stateDir().resolve("keys"), EdgeCaDevice.EDGE_CA));
    List<X509Certificate> installed =
        List.of(rogue.edgeCa(CN, TestCa.spki(key.publicKey())), rogue.certificate());
    agent.store().certificates().write(EdgeCaDevice.EDGE_CA, installed);
    agent.state().committed(EdgeCaDevice.EDGE_CA, CertificateFiles.fingerprintOf(installed));
    agent.close();

    CheckResult line =
        line(
            AgentCheck.run(device.config(), device.parse(), Clock.systemUTC()),
            EdgeCaDevice.EDGE_CA);
    assertThat(line.outcome()).isEqualTo(CheckResult.Outcome.FAILED);
    assertThat(line.detail())
        .contains("CN=aziot-edge CA")
        .contains("does not chain to trusted_certs");

    agent = Agent.open(device.agentConfig(), Clock.systemUTC());
    assertThat(logs.warnings())
        .anySatisfy(
            l ->
                assertThat(l)
                    .contains(EdgeCaDevice.EDGE_CA)
                    .contains("is not used")
                    .contains("does not chain"));
    AgentDaemon.of(agent).step();

    assertThat(agent.credential(EdgeCaDevice.EDGE_CA).orElseThrow().pair())
        .hasValueSatisfying(
            p ->
                assertThat(p.leaf().getIssuerX500Principal())
                    .isEqualTo(ca.certificate().getSubjectX500Principal()));
    assertThat(
            line(
                    AgentCheck.run(device.config(), device.parse(), Clock.systemUTC()),
                    EdgeCaDevice.EDGE_CA)
                .outcome())
        .isEqualTo(CheckResult.Outcome.OK);
  }

  /** Enrolls with {@code issue}; cacerts gives the rogue root. */
  private static Answer rogueServer(Function<SubjectPublicKeyInfo, X509Certificate> issue) {
    Answer enroll = ScriptedEstServer.enrolling(issue);
    return r ->
        r.uri().getPath().endsWith("/cacerts") ? Response.certs(rogue.certificate()) : enroll.to(r);
  }

  private static CheckResult line(List<CheckResult> results, String name) {
    return results.stream()
        .filter(r -> r.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no line " + name + " in " + results));
  }

  /** Every file under {@code dirs}, by path, with its bytes (base64). */
  private static Map<String, String> filesUnder(Path... dirs) throws Exception {
    Map<String, String> files = new TreeMap<>();
    for (Path d : dirs) {
      try (Stream<Path> all = Files.walk(d)) {
        for (Path f : all.filter(Files::isRegularFile).toList()) {
          files.put(f.toString(), Base64.getEncoder().encodeToString(Files.readAllBytes(f)));
        }
      }
    }
    return files;
  }
}
