package dev.estuary.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.estuary.server.policy.NamePolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the parser gives for a file it accepts, and how it reports a file it cannot read. What it
 * reports for a file with mistakes (text in, problems out) is in the fixture folders under {@code
 * config-cases/} ({@link ServerConfigCasesTest}).
 */
class ServerConfigParserTest {
  @TempDir Path dir;

  private static final String COMPLETE =
      """
      [est]
      listen = "0.0.0.0:8443"
      default_label = "devices"
      max_body_bytes = 32768

      [admin]
      listen = "127.0.0.1:9443"
      token_hash = "pbkdf2-sha256$1000$c2FsdA$aGFzaA"

      [tls]
      alias = "est-tls"

      [database]
      url = "jdbc:h2:file:./db/estuary"
      user = "estuary"
      password_file = "secrets/db-password"
      pool_size = 8

      [keys]
      source = "keystore"
      keystore = "keys/estuary.p12"
      passphrase_file = "secrets/keystore-passphrase"

      [labels.devices]
      ca = "issuing"
      profile = "identity"
      validity = "3d"
      key_types = ["ec-p256", "rsa-2048"]
      auth = ["secret", "basic", "mtls"]
      trust = ["idevid-root.pem", "manufacturer"]
      reenrollment_forcing = true
      max_cn_length = 48
      csr_attributes = ["1.2.840.10045.4.3.2"]

      [labels.edge]
      ca = "issuing"
      profile = "edge-ca"
      validity = "90d"
      auth = ["mtls"]
      reenrollment_forcing = false
      """;

  /** A config with only what must be there: a database, the keystore and one label with its CA. */
  private static final String MINIMAL =
      """
      [database]
      url = "jdbc:postgresql://db.example:5432/estuary"
      [keys]
      keystore = "estuary.p12"
      passphrase_file = "passphrase"
      [labels.devices]
      ca = "issuing"
      """;

  /** A minimal config whose keys are in a PKCS#11 token. */
  private static final String PKCS11 =
      """
      [database]
      url = "jdbc:h2:mem:x"
      [keys]
      source = "pkcs11"
      library = "/usr/lib/softhsm/libsofthsm2.so"
      pin_file = "pin"
      token_label = "estuary"
      [labels.devices]
      ca = "issuing"
      """;

  private ServerConfig parse(String toml) throws Exception {
    Path file = dir.resolve("server.toml");
    Files.writeString(file, toml);
    return ServerConfigParser.parse(file);
  }

  private void writeSecrets() throws IOException {
    Files.createDirectories(dir.resolve("secrets"));
    Files.writeString(dir.resolve("secrets/db-password"), "s3cret\n");
  }

  @Test
  void readsEverySectionOfACompleteConfiguration() throws Exception {
    writeSecrets();

    ServerConfig config = parse(COMPLETE);

    Path base = dir.toAbsolutePath();
    assertThat(config.baseDir()).isEqualTo(base);
    assertThat(config.est()).isEqualTo(new ServerConfig.Listen("0.0.0.0", 8443));
    assertThat(config.defaultLabel()).isEqualTo("devices");
    assertThat(config.maxBodyBytes()).isEqualTo(32768);
    assertThat(config.admin()).isEqualTo(new ServerConfig.Listen("127.0.0.1", 9443));
    assertThat(config.adminTokenHash()).isEqualTo("pbkdf2-sha256$1000$c2FsdA$aGFzaA");
    assertThat(config.tlsAlias()).isEqualTo("est-tls");
    assertThat(config.database())
        .isEqualTo(
            new ServerConfig.Database(
                "jdbc:h2:file:" + base.resolve("db/estuary"), "estuary", "s3cret", 8));
    assertThat(config.keys())
        .isEqualTo(
            new ServerConfig.KeySource(
                "keystore",
                base.resolve("keys/estuary.p12"),
                base.resolve("secrets/keystore-passphrase"),
                null,
                -1,
                null));
  }

  @Test
  void readsEveryKeyOfALabel() throws Exception {
    writeSecrets();

    ServerConfig config = parse(COMPLETE);

    assertThat(config.labels())
        .containsOnlyKeys("devices", "edge")
        .containsEntry(
            "devices",
            new LabelConfig(
                "devices",
                "issuing",
                "identity",
                Duration.ofDays(3),
                List.of("ec-p256", "rsa-2048"),
                List.of("secret", "basic", "mtls"),
                List.of("idevid-root.pem", "manufacturer"),
                true,
                48,
                List.of("1.2.840.10045.4.3.2"),
                true,
                null,
                List.of("dns"),
                NamePolicy.DEFAULT_DNS_PATTERN));
    assertThat(config.labels().get("edge").edgeCa()).isTrue();
    assertThat(config.labels().get("edge").reenrollmentForcing()).isFalse();
    assertThat(config.labels().get("edge").validity()).isEqualTo(Duration.ofDays(90));
  }

  @Test
  void fillsInDefaultsForWhatIsLeftOut() throws Exception {
    ServerConfig config = parse(MINIMAL);

    assertThat(config.est()).isEqualTo(new ServerConfig.Listen("0.0.0.0", 8443));
    assertThat(config.defaultLabel()).isNull();
    assertThat(config.maxBodyBytes()).isEqualTo(65536);
    assertThat(config.admin()).isEqualTo(new ServerConfig.Listen("127.0.0.1", 9443));
    assertThat(config.tlsAlias()).isEqualTo("tls");
    assertThat(config.database().poolSize()).isEqualTo(16);
    assertThat(config.keys().type()).isEqualTo("keystore");
    assertThat(config.labels())
        .isEqualTo(
            Map.of(
                "devices",
                new LabelConfig(
                    "devices",
                    "issuing",
                    "identity",
                    Duration.ofDays(7),
                    List.of("ec-p256", "ec-p384", "rsa-2048"),
                    List.of("mtls"),
                    List.of(),
                    true,
                    64,
                    List.of(),
                    false,
                    null,
                    List.of("dns"),
                    NamePolicy.DEFAULT_DNS_PATTERN)));
  }

  @Test
  void readsAPkcs11KeySource() throws Exception {
    ServerConfig config = parse(PKCS11);

    assertThat(config.keys())
        .isEqualTo(
            new ServerConfig.KeySource(
                "pkcs11",
                null,
                dir.toAbsolutePath().resolve("pin"),
                Path.of("/usr/lib/softhsm/libsofthsm2.so"),
                -1,
                "estuary"));
  }

  @Test
  void readsTheTlsProviderAndDefaultsToAuto() throws Exception {
    assertThat(parse(MINIMAL).tlsProvider()).isEqualTo("auto");
    assertThat(parse("[tls]\nprovider = \"jdk\"\n" + MINIMAL).tlsProvider()).isEqualTo("jdk");
    assertThat(parse("[tls]\nprovider = \"conscrypt\"\n" + MINIMAL).tlsProvider())
        .isEqualTo("conscrypt");
    assertThat(parse("[tls]\nprovider = \"auto\"\n" + MINIMAL).tlsProvider()).isEqualTo("auto");
  }

  @Test
  void readsTheSignatureEngineAndDefaultsToAuto() throws Exception {
    assertThat(parse(MINIMAL).keys().signatures()).isEqualTo("auto");
    String[] named = {"auto", "bouncycastle", "conscrypt"};
    for (String engine : named) {
      String toml = MINIMAL.replace("[keys]\n", "[keys]\nsignatures = \"" + engine + "\"\n");
      assertThat(parse(toml).keys().signatures()).isEqualTo(engine);
    }
  }

  @Test
  void anUnknownSignatureEngineIsRefusedNamingTheSetting() throws Exception {
    Path file = dir.resolve("server.toml");
    Files.writeString(file, MINIMAL.replace("[keys]\n", "[keys]\nsignatures = \"openssl\"\n"));

    assertThatThrownBy(() -> ServerConfigParser.parse(file))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("keys.signatures")
        .hasMessageContaining("bouncycastle");
  }

  @Test
  void readsABracketedIpv6Listen() throws Exception {
    ServerConfig config = parse("[est]\nlisten = \"[::1]:8443\"\n" + MINIMAL);

    assertThat(config.est()).isEqualTo(new ServerConfig.Listen("::1", 8443));
  }

  @Test
  void theExceptionMessageListsTheFileAndEveryProblem() throws Exception {
    Path file = dir.resolve("server.toml");
    Files.writeString(file, "[est]\nlisten = \"nope\"\n" + MINIMAL.replace("ca = \"issuing\"", ""));

    assertThatThrownBy(() -> ServerConfigParser.parse(file))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(file + ": 2 problem(s):")
        .hasMessageContaining("est.listen")
        .hasMessageContaining("labels.devices.ca");
  }

  @Test
  void readsTheNamePolicyAndBindingOfALabel() throws Exception {
    ServerConfig config =
        parse(
            MINIMAL
                + "bind_names = true\nname_from = \"dev-{serial}\"\nsan_types = [\"dns\", \"ip\"]\ndns_pattern = \"[a-z.]+\"\n");

    LabelConfig devices = config.labels().get("devices");
    assertThat(devices.bindNames()).isTrue();
    assertThat(devices.nameFrom()).isEqualTo("dev-{serial}");
    assertThat(devices.sanTypes()).containsExactly("dns", "ip");
    assertThat(devices.dnsPattern()).isEqualTo("[a-z.]+");
  }

  @Test
  void acceptsALabelNameWithADot() throws Exception {
    ServerConfig config = parse(MINIMAL.replace("[labels.devices]", "[labels.\"site-1.sensors\"]"));

    assertThat(config.labels()).containsOnlyKeys("site-1.sensors");
    assertThat(config.labels().get("site-1.sensors").ca()).isEqualTo("issuing");
  }

  @Test
  void reportsAFileThatCannotBeRead() {
    Path missing = dir.resolve("absent.toml");

    assertThatThrownBy(() -> ServerConfigParser.parse(missing))
        .isInstanceOf(ConfigException.class)
        .satisfies(
            e ->
                assertThat(((ConfigException) e).problems())
                    .singleElement()
                    .asString()
                    .isEqualTo(missing + ": does not exist"));
  }
}
