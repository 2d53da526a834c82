package dev.estuary.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

  private List<String> problems(String toml) throws IOException {
    Path file = dir.resolve("server.toml");
    Files.writeString(file, toml);
    try {
      ServerConfigParser.parse(file);
    } catch (ConfigException e) {
      return e.problems();
    }
    throw new AssertionError("the configuration was accepted:\n" + toml);
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
                dev.estuary.server.policy.NamePolicy.DEFAULT_DNS_PATTERN));
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
                    dev.estuary.server.policy.NamePolicy.DEFAULT_DNS_PATTERN)));
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
  void readsTheTlsProviderAndDefaultsToTheJdks() throws Exception {
    assertThat(parse(MINIMAL).tlsProvider()).isEqualTo("jdk");
    assertThat(parse("[tls]\nprovider = \"conscrypt\"\n" + MINIMAL).tlsProvider())
        .isEqualTo("conscrypt");
  }

  @Test
  void refusesAnUnknownTlsProviderAndConscryptWithATokenKey() throws Exception {
    assertThat(problems("[tls]\nprovider = \"openssl\"\n" + MINIMAL))
        .containsExactly("tls.provider: 'openssl' is not one of: jdk, conscrypt");
    assertThat(problems("[tls]\nprovider = \"conscrypt\"\n" + PKCS11))
        .singleElement()
        .asString()
        .startsWith("tls.provider: conscrypt cannot sign with a PKCS#11 key");
  }

  @Test
  void readsABracketedIpv6Listen() throws Exception {
    ServerConfig config = parse("[est]\nlisten = \"[::1]:8443\"\n" + MINIMAL);

    assertThat(config.est()).isEqualTo(new ServerConfig.Listen("::1", 8443));
  }

  @Test
  void reportsAllProblemsAtOnceEachWithItsKeyPath() throws Exception {
    List<String> problems =
        problems(
            """
            [est]
            listen = "localhost"
            default_label = "nowhere"
            colour = "blue"
            [database]
            url = "jdbc:h2:mem:x"
            [keys]
            keystore = "estuary.p12"
            passphrase_file = "passphrase"
            [labels.devices]
            ca = "issuing"
            validity = "a week"
            auth = ["password"]
            [labels.edge]
            profile = "edge-ca"
            [labels.cacerts]
            ca = "issuing"
            """);

    assertThat(problems)
        .hasSize(7)
        .anySatisfy(p -> assertThat(p).startsWith("est.listen: "))
        .anySatisfy(p -> assertThat(p).startsWith("est.default_label: "))
        .anySatisfy(p -> assertThat(p).startsWith("est.colour: "))
        .anySatisfy(p -> assertThat(p).startsWith("labels.devices.validity: "))
        .anySatisfy(p -> assertThat(p).startsWith("labels.devices.auth: "))
        .anySatisfy(p -> assertThat(p).startsWith("labels.edge.ca: "))
        .anySatisfy(p -> assertThat(p).startsWith("labels.cacerts: "));
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
  void reportsABadNamePolicy() throws Exception {
    assertThat(
            problems(
                MINIMAL
                    + "name_from = \"{subject.cn}/../x\"\nsan_types = [\"dns\", \"x400\"]\ndns_pattern = \"[a-z\"\n"))
        .containsExactly(
            "labels.devices.name_from: '{subject.cn}/../x' may hold {subject.cn}, {serial}, letters, digits, '.', '_' and '-'",
            "labels.devices.san_types: 'x400' is not one of: dns, ip, uri, email, other, dn",
            "labels.devices.dns_pattern: not a regular expression: Unclosed character class");
  }

  @Test
  void reportsAnUnknownKeyWithItsPathAndTheKnownKeys() throws Exception {
    assertThat(problems(MINIMAL + "reenrolment_forcing = false\n"))
        .containsExactly(
            "labels.devices.reenrolment_forcing: unknown key (known: auth, bind_names, ca, csr_attributes, dns_pattern, "
                + "key_types, max_cn_length, name_from, profile, reenrollment_forcing, san_types, trust, validity)");
  }

  @Test
  void reportsAnUnknownTopLevelTable() throws Exception {
    assertThat(problems(MINIMAL + "[logging]\nlevel = \"debug\"\n"))
        .singleElement()
        .asString()
        .startsWith("logging: unknown key");
  }

  @Test
  void reportsABadDuration() throws Exception {
    assertThat(problems(MINIMAL + "validity = \"2 weeks\"\n"))
        .singleElement()
        .asString()
        .startsWith("labels.devices.validity: '2 weeks' is not a duration");
  }

  @Test
  void reportsAnUnknownAuthGate() throws Exception {
    assertThat(problems(MINIMAL + "auth = [\"mtls\", \"oauth\"]\n"))
        .containsExactly("labels.devices.auth: 'oauth' is not one of: secret, basic, mtls");
  }

  @Test
  void reportsAnEmptyAuthList() throws Exception {
    assertThat(problems(MINIMAL + "auth = []\n"))
        .singleElement()
        .asString()
        .startsWith("labels.devices.auth: empty");
  }

  @Test
  void reportsALabelWithoutCa() throws Exception {
    assertThat(problems(MINIMAL.replace("ca = \"issuing\"", "profile = \"identity\"")))
        .singleElement()
        .asString()
        .startsWith("labels.devices.ca: missing");
  }

  @Test
  void reportsAnUnknownProfile() throws Exception {
    assertThat(problems(MINIMAL + "profile = \"server\"\n"))
        .containsExactly("labels.devices.profile: 'server' is not one of: identity, edge-ca");
  }

  @Test
  void reportsAnUnknownKeyType() throws Exception {
    assertThat(problems(MINIMAL + "key_types = [\"ec-p256\", \"dsa\"]\n"))
        .singleElement()
        .asString()
        .startsWith("labels.devices.key_types: unknown key type 'dsa'");
  }

  @Test
  void reportsAListenWithoutPort() throws Exception {
    assertThat(problems("[est]\nlisten = \"localhost\"\n" + MINIMAL))
        .containsExactly("est.listen: 'localhost' is not host:port");
  }

  @Test
  void reportsAListenPortOutOfRange() throws Exception {
    assertThat(problems("[admin]\nlisten = \"127.0.0.1:70000\"\n" + MINIMAL))
        .containsExactly("admin.listen: port in '127.0.0.1:70000' is not 0-65535");
  }

  @Test
  void reportsADefaultLabelThatIsNotALabel() throws Exception {
    assertThat(problems("[est]\ndefault_label = \"sensors\"\n" + MINIMAL))
        .containsExactly("est.default_label: 'sensors' is not a configured label (devices)");
  }

  @Test
  void doesNotCallADefaultLabelUnknownWhenThatLabelOnlyHasProblemsOfItsOwn() throws Exception {
    String twoLabels =
        MINIMAL + "validity = \"soon\"\n[labels.edge]\nca = \"issuing\"\nprofile = \"edge-ca\"\n";

    assertThat(problems("[est]\ndefault_label = \"devices\"\n" + twoLabels))
        .singleElement()
        .asString()
        .startsWith("labels.devices.validity: ");
  }

  @Test
  void reportsALabelNamedLikeAnEstOperation() throws Exception {
    assertThat(problems(MINIMAL.replace("[labels.devices]", "[labels.simpleenroll]")))
        .containsExactly("labels.simpleenroll: an EST operation name cannot be a label");
  }

  @Test
  void reportsALabelNameWithCharactersThatCannotBeInAPath() throws Exception {
    assertThat(problems(MINIMAL.replace("[labels.devices]", "[labels.\"line 3/bay\"]")))
        .singleElement()
        .asString()
        .startsWith("labels.line 3/bay: label names are 1-63 characters");
  }

  @Test
  void acceptsALabelNameWithADot() throws Exception {
    ServerConfig config = parse(MINIMAL.replace("[labels.devices]", "[labels.\"site-1.sensors\"]"));

    assertThat(config.labels()).containsOnlyKeys("site-1.sensors");
    assertThat(config.labels().get("site-1.sensors").ca()).isEqualTo("issuing");
  }

  @Test
  void reportsAMissingDatabaseUrlAndKeystore() throws Exception {
    assertThat(problems("[labels.devices]\nca = \"issuing\"\n"))
        .hasSize(3)
        .anySatisfy(p -> assertThat(p).startsWith("database.url: missing"))
        .anySatisfy(p -> assertThat(p).startsWith("keys.keystore: missing"))
        .anySatisfy(p -> assertThat(p).startsWith("keys.passphrase_file: missing"));
  }

  @Test
  void reportsAConfigurationWithoutLabels() throws Exception {
    assertThat(problems(MINIMAL.replace("[labels.devices]\nca = \"issuing\"\n", "")))
        .containsExactly("labels: no [labels.NAME] table; at least one label is needed");
  }

  @Test
  void reportsAValueOfTheWrongType() throws Exception {
    assertThat(problems(MINIMAL + "max_cn_length = \"64\"\n"))
        .singleElement()
        .asString()
        .startsWith("labels.devices.max_cn_length: must be an integer");
  }

  @Test
  void reportsAnUnreadablePasswordFile() throws Exception {
    assertThat(problems(MINIMAL.replace("[keys]", "password_file = \"missing-file\"\n[keys]")))
        .singleElement()
        .asString()
        .startsWith("database.password_file: cannot read 'missing-file'");
  }

  @Test
  void reportsTomlSyntaxErrors() throws Exception {
    assertThat(problems("[est\nlisten = \n"))
        .isNotEmpty()
        .allSatisfy(p -> assertThat(p).startsWith("TOML syntax: "));
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
                    .startsWith("cannot read the file"));
  }
}
