package dev.estuary.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.estuary.config.ConfigProblem;
import dev.estuary.config.Section;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Behaviours the fixture folders cannot show: missing files, secrets, the model's shape. */
class AgentConfigParserTest {
  private static final String PASSWORD = "s3cret-do-not-print";

  @TempDir Path dir;

  @Test
  void aMissingFileIsOneProblem() {
    Path file = dir.resolve("absent.toml");

    ConfigParseResult result = AgentConfigParser.parse(file);

    assertThat(result.isValid()).isFalse();
    assertThat(result.problems())
        .map(ConfigProblem::toString)
        .containsExactly(file + ": does not exist");
  }

  @Test
  void aKeyFileThisUserCannotReadIsReported() throws IOException {
    assumeThat(System.getProperty("user.name")).as("root reads any file").isNotEqualTo("root");
    Path config = basicConfig("");
    Files.setPosixFilePermissions(
        dir.resolve("key.pem"), PosixFilePermissions.fromString("---------"));

    ConfigParseResult result = AgentConfigParser.parse(config);

    assertThat(result.errors())
        .map(ConfigProblem::toString)
        .containsExactly(
            "cert_issuance.est.auth.identity_pk: file://"
                + dir.resolve("key.pem")
                + " cannot be read by this user (permission denied)");
  }

  @Test
  void thePasswordAppearsNowhere() throws IOException {
    Path config = basicConfig("username = \"u\"\npassword = \"" + PASSWORD + "\"\n");

    ConfigParseResult result = AgentConfigParser.parse(config);

    AgentConfig agent = result.config().orElseThrow();
    assertThat(agent.toString()).doesNotContain(PASSWORD);
    assertThat(EffectiveConfig.render(agent))
        .doesNotContain(PASSWORD)
        .contains("password = \"<redacted>\"");
    assertThat(agent.estCertificates().get(0).auth().basic())
        .hasValueSatisfying(b -> assertThat(b.password()).isEqualTo(PASSWORD));
  }

  @Test
  void aWrongPasswordTypeIsReportedWithoutItsValue() throws IOException {
    Path config = basicConfig("username = \"u\"\npassword = 12345\n");

    ConfigParseResult result = AgentConfigParser.parse(config);

    assertThat(result.errors())
        .map(ConfigProblem::toString)
        .containsExactly("cert_issuance.est.auth.password: must be a string, not an integer");
  }

  @Test
  void certificatesAreListedDeviceIdentityFirstWithEverythingResolved() throws IOException {
    ConfigParseResult result = AgentConfigParser.parse(basicConfig(""));

    AgentConfig config = result.config().orElseThrow();
    assertThat(config.estCertificates())
        .extracting(EstCertificate::id)
        .containsExactly("device-id", "aziot-edged-ca");
    EstCertificate device = config.estCertificates().get(0);
    assertThat(device.url()).hasToString("https://est.example/.well-known/est/device-id/");
    assertThat(device.urlFrom()).isEqualTo("cert_issuance.est.urls.default");
    assertThat(device.commonName()).isEqualTo("dev-1");
    assertThat(device.autoRenew()).isEqualTo(RenewalSettings.DEFAULT);
    assertThat(config.needsEstIdentity()).isFalse();
    assertThat(config.agent().stateDir()).isEqualTo(Path.of("/var/lib/estuary"));
    assertThat(config.agent().keyType()).isEqualTo(KeyType.EC_P256);
  }

  @Test
  void theCommandLineStateDirectoryReplacesTheConfiguredOne() throws IOException {
    AgentConfig config = AgentConfigParser.parse(basicConfig("")).config().orElseThrow();

    assertThat(config.withStateDir(dir.resolve("s")).agent().stateDir())
        .isEqualTo(dir.resolve("s"));
  }

  @Test
  void aRelativeStateDirectoryIsRelativeToTheConfigurationFile() throws IOException {
    Path config = basicConfig("");
    Files.writeString(config, "[estuary]\nstate_dir = \"state\"\n" + Files.readString(config));

    assertThat(AgentConfigParser.parse(config).config().orElseThrow().agent().stateDir())
        .isEqualTo(dir.resolve("state"));
  }

  @Test
  void everyProblemPrintsAsPathColonMessage() {
    assertThat(ConfigProblem.error("a.b", "is wrong")).hasToString("a.b: is wrong");
    assertThat(ConfigProblem.warning("a.b", "not used")).hasToString("warning: a.b: not used");
  }

  @Test
  void aKeyUriWithModulePathAndNoAziotKeysTableNamesTheModuleToLoad() throws IOException {
    Files.writeString(dir.resolve("libtoken.so"), "module");
    Path config =
        basicConfig(
            "identity_cert = \"file://"
                + dir.resolve("cert.pem")
                + "\"\n"
                + "identity_pk = \"pkcs11:token=factory;object=idevid?pin-value=4321&module-path="
                + dir.resolve("libtoken.so")
                + "\"\n");

    AgentConfig parsed = AgentConfigParser.parse(config).config().orElseThrow();

    assertThat(parsed.agent().pkcs11()).isEmpty();
    assertThat(parsed.pkcs11Module())
        .hasValueSatisfying(
            m -> {
              assertThat(m.libraryPath()).isEqualTo(dir.resolve("libtoken.so"));
              assertThat(m.baseSlot()).as("keys are not generated in that token").isEmpty();
            });
  }

  @Test
  void withoutAnyPkcs11KeyThereIsNoModule() throws IOException {
    assertThat(AgentConfigParser.parse(basicConfig("")).config().orElseThrow().pkcs11Module())
        .isEmpty();
  }

  @Test
  void suggestionsTreatDashAndUnderscoreAlike() {
    assertThat(Section.distance("edge-ca", "edge_ca")).isZero();
    assertThat(Section.distance("treshold", "threshold")).isEqualTo(1);
  }

  /** A valid configuration with an identity_cert + identity_pk pair, plus {@code extraAuth}. */
  private Path basicConfig(String extraAuth) throws IOException {
    Files.writeString(dir.resolve("root.pem"), "root");
    Files.writeString(dir.resolve("cert.pem"), "cert");
    Files.writeString(dir.resolve("key.pem"), "key");
    Files.setPosixFilePermissions(
        dir.resolve("key.pem"), PosixFilePermissions.fromString("rw-------"));
    String auth =
        extraAuth.isEmpty()
            ? "identity_cert = \"file://"
                + dir.resolve("cert.pem")
                + "\"\nidentity_pk = \"file://"
                + dir.resolve("key.pem")
                + "\"\n"
            : extraAuth;
    String text =
        String.join(
            "\n",
            List.of(
                "[cert_issuance.est]",
                "trusted_certs = [\"file://" + dir.resolve("root.pem") + "\"]",
                "[cert_issuance.est.auth]",
                auth,
                "[cert_issuance.est.urls]",
                "default = \"https://est.example/.well-known/est/device-id/\"",
                "[provisioning]",
                "source = \"dps\"",
                "global_endpoint = \"https://dps.example\"",
                "id_scope = \"0ne00000A0A\"",
                "[provisioning.attestation]",
                "method = \"x509\"",
                "registration_id = \"dev-1\"",
                "[provisioning.attestation.identity_cert]",
                "method = \"est\"",
                "[edge_ca]",
                "method = \"est\"",
                ""));
    Path config = dir.resolve("config.toml");
    Files.writeString(config, text);
    return config;
  }
}
