package dev.estuary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.estuary.cli.EstuaryJar.Result;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runnable jar as an operator uses it: {@code estuary server --quickstart} in a child process,
 * then {@code estuary server secret create} and {@code estuary server cert show|revoke} against it,
 * with real curl and openssl in between.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class QuickstartCliIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir static Path work;
  static Process server;
  static Path data;
  static JsonNode info;

  @BeforeAll
  static void startServer() throws Exception {
    data = work.resolve("estuary-data");
    server = EstuaryJar.startQuickstart(data, work.resolve("server.log"));
    info = JSON.readTree(data.resolve("quickstart.json").toFile());
  }

  @AfterAll
  static void stopServer() throws Exception {
    EstuaryJar.stop(server);
  }

  @Test
  void quickstartPrintsItsCredentialsOnceAndKeepsThemInAPrivateFile() throws Exception {
    String log = Files.readString(work.resolve("server.log"));
    assertThat(log)
        .contains("\"factory_secret\"")
        .contains(data.resolve("quickstart.json").toString());
    assertThat(Files.getPosixFilePermissions(data.resolve("quickstart.json")).toString())
        .isEqualTo("[OWNER_READ, OWNER_WRITE]");
    assertThat(info.get("est_url").asText()).matches("https://localhost:\\d+/\\.well-known/est");
    for (String key :
        List.of(
            "labels",
            "root_ca",
            "factory_secret",
            "basic_username",
            "basic_password",
            "admin_url",
            "admin_token",
            "dps_global_endpoint",
            "id_scope")) {
      assertThat(info.has(key)).as(key).isTrue();
    }
  }

  @Test
  void secretCreatedByTheCliEnrollsOnceAndIsThenUsedUp() throws Exception {
    Result created =
        estuary(
            "server",
            "secret",
            "create",
            "--label",
            "idevid",
            "--uses",
            "1",
            "--expires",
            "1d",
            "--data-dir",
            data.toString());
    assertThat(created.code()).as(created.err()).isZero();
    String secret = created.out().strip();
    assertThat(secret).matches("[a-z0-9]{10}\\.[A-Za-z0-9]{32}");

    Path dir = Files.createTempDirectory(work, "factory");
    sh(dir, "openssl req -nodes -new -subj /CN=cli-device -sha256 -keyout k.pem -out r.csr");
    Result first = sh(dir, enroll(secret) + " -o first.b64 -w '%{http_code}'");
    assertThat(first.out()).isEqualTo("200");
    Result second = sh(dir, enroll(secret) + " -w '\\n%{http_code}'");
    assertThat(second.out()).endsWith("401").contains("used up");
  }

  @Test
  void basicUserCreatedByTheCliEnrollsWithItsPassword() throws Exception {
    Result created =
        estuary(
            "server",
            "basic-user",
            "create",
            "--username",
            "line-7",
            "--label",
            "idevid",
            "--data-dir",
            data.toString());
    assertThat(created.code()).as(created.err()).isZero();
    String password = created.out().strip();
    assertThat(password).hasSize(24);

    Path dir = Files.createTempDirectory(work, "basic");
    sh(dir, "openssl req -nodes -new -subj /CN=basic-device -sha256 -keyout k.pem -out r.csr");
    String curl =
        "curl -sS --cacert "
            + info.get("root_ca").asText()
            + " -X POST --data-binary @r.csr -H 'Content-Type: application/pkcs10' "
            + info.get("est_url").asText()
            + "/simpleenroll -o /dev/null -w '%{http_code}' -u line-7:";
    assertThat(sh(dir, curl + password).out()).isEqualTo("200");
    assertThat(sh(dir, curl + "not-" + password).out()).isEqualTo("401");
  }

  @Test
  void aBoundNameIsListedAndReleasedByTheCli() throws Exception {
    Path owner = factoryIdentity("binding-owner-idevid", "");
    Path other = factoryIdentity("binding-other-idevid", "");
    String deviceId =
        "curl -sS --cacert "
            + info.get("root_ca").asText()
            + " --cert c.pem --key k.pem -X POST --data-binary @d.csr"
            + " -H 'Content-Type: application/pkcs10' "
            + info.get("est_url").asText()
            + "/device-id/simpleenroll -o /dev/null -w '%{http_code}'";
    for (Path dir : new Path[] {owner, other}) {
      sh(dir, "openssl req -nodes -new -subj /CN=bound-device -sha256 -keyout d.key -out d.csr");
    }
    assertThat(sh(owner, deviceId).out()).isEqualTo("200");
    assertThat(sh(other, deviceId).out())
        .as("the name is bound to the first IDevID")
        .isEqualTo("403");

    Result listed =
        estuary("server", "binding", "list", "--label", "device-id", "--data-dir", data.toString());
    assertThat(listed.code()).as(listed.err()).isZero();
    assertThat(listed.out())
        .contains("device-id\tbound-device\t")
        .contains("CN=binding-owner-idevid");
    Result released =
        estuary(
            "server",
            "binding",
            "release",
            "device-id",
            "bound-device",
            "--data-dir",
            data.toString());
    assertThat(released.code()).as(released.err()).isZero();
    assertThat(released.out()).contains("released 'bound-device' of device-id");
    assertThat(sh(other, deviceId).out())
        .as("released: the next identity gets it")
        .isEqualTo("200");
    Result again =
        estuary(
            "server",
            "binding",
            "release",
            "device-id",
            "no-such-name",
            "--data-dir",
            data.toString());
    assertThat(again.code()).isNotZero();
    assertThat(again.err()).contains("is not bound");
  }

  @Test
  void revokedCertificateNoLongerAuthenticates() throws Exception {
    Path dir = factoryIdentity("to-revoke", "");
    String serial =
        sh(dir, "openssl x509 -in c.pem -noout -serial").out().strip().replace("serial=", "");

    Result shown = estuary("server", "cert", "show", serial, "--data-dir", data.toString());
    assertThat(shown.out())
        .contains("\"subject\" : \"CN=to-revoke\"")
        .contains("\"revokedAt\" : null");
    String mtls =
        "curl -sS --cacert "
            + info.get("root_ca").asText()
            + " --cert c.pem --key k.pem -X POST --data-binary @r.csr"
            + " -H 'Content-Type: application/pkcs10' "
            + info.get("est_url").asText()
            + "/idevid/simpleenroll -o /dev/null -w '%{http_code}'";
    assertThat(sh(dir, mtls).out()).isEqualTo("200");

    Result revoked =
        estuary(
            "server",
            "cert",
            "revoke",
            serial,
            "--reason",
            "keyCompromise",
            "--data-dir",
            data.toString());
    assertThat(revoked.code()).as(revoked.err()).isZero();
    assertThat(revoked.out()).contains("revoked").contains("CN=to-revoke");
    assertThat(sh(dir, mtls).out()).isEqualTo("401");
  }

  /**
   * Issue 12, must-hold 1 through the CLI: after {@code estuary server cert revoke}, the real
   * {@code openssl ocsp} says revoked with the reason and {@code openssl verify -crl_check} fails;
   * a good certificate stays good. Then {@code estuary server device disable|show|enable}.
   */
  @Test
  void afterCertRevokeOpensslOcspAndCrlCheckSeeItRevoked() throws Exception {
    Path dir = factoryIdentity("cli-revoked", "");
    Path good = factoryIdentity("cli-good", "");
    String port = info.get("est_url").asText().replaceAll(".*:(\\d+)/.*", "$1");
    String root = info.get("root_ca").asText();
    // The issuing CA from the certificate's AIA caIssuers URL (the quickstart names its own port).
    String caIssuers =
        sh(dir, "openssl x509 -in c.pem -noout -ext authorityInfoAccess")
            .out()
            .replaceAll("(?s).*CA Issuers - URI:(\\S+).*", "$1")
            .replace(":8443/", ":" + port + "/");
    Result issuer =
        sh(
            dir,
            "curl -sS --cacert "
                + root
                + " -o issuer.der "
                + caIssuers
                + " && openssl x509 -inform DER -in issuer.der -out issuer.pem && cp "
                + good.resolve("c.pem")
                + " good.pem");
    assertThat(issuer.code()).as(issuer.err()).isZero();
    String serial =
        sh(dir, "openssl x509 -in c.pem -noout -serial").out().strip().replace("serial=", "");
    Result revoked =
        estuary(
            "server",
            "cert",
            "revoke",
            serial,
            "--reason",
            "superseded",
            "--data-dir",
            data.toString());
    assertThat(revoked.code()).as(revoked.err()).isZero();
    assertThat(revoked.out()).contains("(superseded)");

    String ocsp =
        "openssl ocsp -issuer issuer.pem -CAfile "
            + root
            + " -url https://localhost:"
            + port
            + "/pki/ocsp -cert ";
    assertThat(sh(dir, ocsp + "c.pem 2>&1").out())
        .contains("c.pem: revoked")
        .contains("Reason: superseded");
    assertThat(sh(dir, ocsp + "good.pem 2>&1").out()).contains("good.pem: good");
    String crlUrl =
        sh(dir, "openssl x509 -in c.pem -noout -ext crlDistributionPoints")
            .out()
            .replaceAll("(?s).*URI:(\\S+).*", "$1")
            .replace(":8443/", ":" + port + "/");
    sh(
        dir,
        "curl -sS --cacert "
            + root
            + " -o crl.der "
            + crlUrl
            + " && openssl crl -inform DER -in crl.der -out crl.pem");
    String verify =
        "openssl verify -crl_check -CAfile " + root + " -untrusted issuer.pem -CRLfile crl.pem ";
    assertThat(sh(dir, verify + "c.pem 2>&1; echo exit=$?").out())
        .contains("certificate revoked")
        .doesNotContain("exit=0");
    assertThat(sh(dir, verify + "good.pem 2>&1; echo exit=$?").out())
        .contains("good.pem: OK")
        .contains("exit=0");

    Result disabled =
        estuary(
            "server",
            "device",
            "disable",
            "cli-device",
            "--note",
            "stolen",
            "--data-dir",
            data.toString());
    assertThat(disabled.code()).as(disabled.err()).isZero();
    assertThat(disabled.out()).contains("cli-device: disabled since").contains("(stolen)");
    Result shown = estuary("server", "device", "show", "cli-device", "--data-dir", data.toString());
    assertThat(shown.out()).contains("cli-device: disabled since");
    Result enabled =
        estuary("server", "device", "enable", "cli-device", "--data-dir", data.toString());
    assertThat(enabled.out()).contains("cli-device: enabled");
    Result bad = estuary("server", "device", "show", "no/such", "--data-dir", data.toString());
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.err()).contains("is not a registration id");
  }

  @Test
  void benchEnrollsExactlyTheRequestedNumberAndCountsThem() throws Exception {
    double before = issuedTotal();
    Path out = work.resolve("bench.json");
    Result r =
        estuary(
            "bench",
            "--quickstart",
            data.toString(),
            "--scenario",
            "enroll",
            "--auth",
            "basic",
            "--concurrency",
            "4",
            "--duration",
            "60s",
            "--warmup",
            "0s",
            "--max-requests",
            "40",
            "--csr-pool",
            "20",
            "--json",
            out.toString());
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode j = JSON.readTree(out.toFile());
    assertThat(j.get("ok").asLong()).isEqualTo(40);
    assertThat(j.get("errors").asLong()).isZero();
    assertThat(j.get("throughput").asDouble()).isPositive();
    assertThat(j.get("p50_ms").asDouble())
        .isPositive()
        .isLessThanOrEqualTo(j.get("p99_ms").asDouble());
    assertThat(issuedTotal() - before).isEqualTo(40.0);
    assertThat(r.out()).contains("throughput").contains("40 ok, 0 errors");
  }

  @Test
  void benchSpreadsItsClientsRoundRobinOverSeveralUrlsAndCountsEach() throws Exception {
    // two names of the one server, as two replicas would be: 4 clients, 2 on each URL
    String first = info.get("est_url").asText();
    String second = first.replace("//localhost:", "//127.0.0.1:");
    assertThat(second).isNotEqualTo(first);
    Path out = work.resolve("bench-spread.json");
    Result r =
        estuary(
            "bench",
            "--quickstart",
            data.toString(),
            "--url",
            first + "," + second,
            "--scenario",
            "cacerts",
            "--concurrency",
            "4",
            "--duration",
            "60s",
            "--warmup",
            "0s",
            "--max-requests",
            "40");
    assertThat(r.code()).as(r.err()).isZero();
    r =
        estuary(
            "bench",
            "--quickstart",
            data.toString(),
            "--url",
            first,
            "--url",
            second,
            "--scenario",
            "cacerts",
            "--concurrency",
            "4",
            "--duration",
            "2s",
            "--warmup",
            "0s",
            "--json",
            out.toString());
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode perUrl = JSON.readTree(out.toFile()).get("per_url");
    assertThat(perUrl.size()).isEqualTo(2);
    long a = perUrl.get(first).get("ok").asLong();
    long b = perUrl.get(second).get("ok").asLong();
    assertThat(a).as("requests to %s", first).isPositive();
    assertThat(b).as("requests to %s", second).isPositive();
    assertThat(a + b).isEqualTo(JSON.readTree(out.toFile()).get("ok").asLong());
    assertThat(r.out()).contains("per URL").contains(first).contains(second);
  }

  @Test
  void benchCountsRefusalsAsErrorsByKind() throws Exception {
    Path out = work.resolve("bench-refused.json");
    Result r =
        estuary(
            "bench",
            "--quickstart",
            data.toString(),
            "--scenario",
            "enroll",
            "--auth",
            "basic",
            "--password",
            "wrong",
            "--concurrency",
            "2",
            "--duration",
            "60s",
            "--warmup",
            "0s",
            "--max-requests",
            "6",
            "--csr-pool",
            "4",
            "--json",
            out.toString());
    assertThat(r.code()).isEqualTo(1);
    JsonNode j = JSON.readTree(out.toFile());
    assertThat(j.get("ok").asLong()).isZero();
    assertThat(j.get("errors").asLong()).isEqualTo(6);
    assertThat(j.get("error_kinds").get("HTTP 401").asLong()).isEqualTo(6);
  }

  @Test
  void benchRegistersExactlyTheRequestedNumberAndTheServerRecordsThem() throws Exception {
    Path out = work.resolve("bench-register.json");
    Result r =
        estuary(
            "bench",
            "--quickstart",
            data.toString(),
            "--scenario",
            "register",
            "--auth",
            "basic",
            "--concurrency",
            "4",
            "--duration",
            "60s",
            "--warmup",
            "0s",
            "--max-requests",
            "20",
            "--json",
            out.toString());
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode j = JSON.readTree(out.toFile());
    assertThat(j.get("ok").asLong()).isEqualTo(20);
    assertThat(j.get("errors").asLong()).isZero();
    assertThat(j.get("polls_assigning").asLong()).isZero();
    assertThat(j.get("devices").asInt()).isEqualTo(4);
    assertThat(r.out()).contains("20 ok, 0 errors");
    String prefix = j.get("registration_id_prefix").asText();
    assertThat(prefix).matches("bench-[0-9a-f]{8}-");

    // The server logged one registration per operation, and keeps one record per device.
    long logged =
        Files.readAllLines(work.resolve("server.log")).stream()
            .filter(l -> l.contains("registered " + prefix))
            .count();
    assertThat(logged).isEqualTo(20);
    JsonNode records =
        JSON.readTree(
            sh(
                    work,
                    "curl -sS --fail --cacert "
                        + info.get("root_ca").asText()
                        + " -H 'Authorization: Bearer "
                        + info.get("admin_token").asText()
                        + "' "
                        + info.get("admin_url").asText()
                        + "/api/v1/enrollment-groups/edge-devices/registrations")
                .out());
    List<JsonNode> mine = new ArrayList<>();
    records.forEach(
        n -> {
          if (n.get("registrationId").asText().startsWith(prefix)) {
            mine.add(n);
          }
        });
    assertThat(mine).isNotEmpty().hasSizeLessThanOrEqualTo(4);
    for (JsonNode n : mine) {
      assertThat(n.get("registrationId").asText()).matches(prefix + "[0-3]");
      assertThat(n.get("assignedHub").asText()).isEqualTo(info.get("iot_hub").asText());
    }
  }

  @Test
  void benchRegistersDevicesEnrolledWithAnIdevidFromFiles() throws Exception {
    Path dir = factoryIdentity("bench-idevid", "-newkey ec -pkeyopt ec_paramgen_curve:P-256");
    Path out = work.resolve("bench-register-mtls.json");
    Result r =
        estuary(
            "bench",
            "--quickstart",
            data.toString(),
            "--scenario",
            "register",
            "--auth",
            "mtls",
            "--client-cert",
            dir.resolve("c.pem").toString(),
            "--client-key",
            dir.resolve("k.pem").toString(),
            // One IDevID is one device on a label with name binding (device-id): it registers 6
            // times.
            "--url",
            info.get("labels").get("device-id").asText(),
            "--devices",
            "1",
            "--concurrency",
            "1",
            "--new-connection",
            "--duration",
            "60s",
            "--warmup",
            "0s",
            "--max-requests",
            "6",
            "--json",
            out.toString());
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode j = JSON.readTree(out.toFile());
    assertThat(j.get("ok").asLong()).isEqualTo(6);
    assertThat(j.get("errors").asLong()).isZero();
    assertThat(j.get("mode").asText()).isEqualTo("new-connection");
  }

  @Test
  void benchCountsRegistrationRefusalsByStatusAndErrorCode() throws Exception {
    Path out = work.resolve("bench-register-refused.json");
    Result r =
        estuary(
            "bench",
            "--quickstart",
            data.toString(),
            "--scenario",
            "register",
            "--auth",
            "basic",
            "--id-scope",
            "0ne00000000",
            "--concurrency",
            "2",
            "--duration",
            "60s",
            "--warmup",
            "0s",
            "--max-requests",
            "6",
            "--json",
            out.toString());
    assertThat(r.code()).isEqualTo(1);
    JsonNode j = JSON.readTree(out.toFile());
    assertThat(j.get("ok").asLong()).isZero();
    assertThat(j.get("errors").asLong()).isEqualTo(6);
    assertThat(j.get("error_kinds").get("register: HTTP 404 404001").asLong()).isEqualTo(6);
  }

  /**
   * estuary_certificates_issued_total summed over labels and gates, from the admin port's /metrics.
   */
  private static double issuedTotal() throws Exception {
    Result m =
        sh(
            work,
            "curl -sS --cacert "
                + info.get("root_ca").asText()
                + " "
                + info.get("admin_url").asText()
                + "/metrics");
    double sum = 0;
    for (String line : m.out().split("\n")) {
      if (line.startsWith("estuary_certificates_issued_total{")) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  @Test
  void aSecondServerOnTheSameDataDirectoryExplainsWhyItCannotStart() throws Exception {
    Result second =
        estuary(
            "server",
            "--quickstart",
            "--data-dir",
            data.toString(),
            "--est-port",
            "0",
            "--admin-port",
            "0");

    assertThat(second.code()).isEqualTo(1);
    assertThat(second.err())
        .contains("cannot start")
        .contains("in use by another process")
        .doesNotContain("\tat ");
  }

  @Test
  void aPortInUseIsNamed() throws Exception {
    int busy = URI.create(info.get("est_url").asText()).getPort();
    Path other = work.resolve("other-data");

    Result r =
        estuary(
            "server",
            "--quickstart",
            "--data-dir",
            other.toString(),
            "--est-port",
            Integer.toString(busy),
            "--admin-port",
            "0");

    CliErrorsIT.assertOneLine(r, 1);
    assertThat(r.err()).contains("is already in use").contains(":" + busy).contains("--est-port");
    assertThat(other).as("nothing is created before the ports are known to be free").doesNotExist();
  }

  @Test
  void agentCheckFailsForAnIdScopeTheProvisioningServiceDoesNotKnow() throws Exception {
    Path device = Files.createDirectories(work.resolve("check-device"));
    String base = info.get("dps_global_endpoint").asText();
    Files.writeString(
        device.resolve("config.toml"),
        """
        [cert_issuance.est]
        trusted_certs = ["file://%s"]
        [cert_issuance.est.auth]
        username = "%s"
        password = "%s"
        [provisioning]
        source = "dps"
        global_endpoint = "%s"
        id_scope = "0ne00000000"
        [provisioning.attestation]
        method = "x509"
        registration_id = "check-device"
        [provisioning.attestation.identity_cert]
        method = "est"
        common_name = "check-device"
        url = "%s/.well-known/est/device-id/"
        """
            .formatted(
                info.get("root_ca").asText(),
                info.get("basic_username").asText(),
                info.get("basic_password").asText(),
                base,
                base));

    Result r =
        estuary(
            "agent",
            "check",
            "-c",
            device.resolve("config.toml").toString(),
            "--state-dir",
            device.resolve("state").toString());

    assertThat(r.code()).as(r.describe()).isEqualTo(1);
    assertThat(r.out())
        .contains("✓ EST " + base + "/.well-known/est/device-id/: reachable")
        .containsPattern(
            "✗ provisioning "
                + Pattern.quote(base)
                + ": reachable, TLS trusted, but HTTP 404 for ID scope 0ne00000000: unknown ID scope")
        .doesNotContain("null");
  }

  @Test
  void unknownSerialIsAClearError() throws Exception {
    Result r = estuary("server", "cert", "show", "abcdef", "--data-dir", data.toString());
    CliErrorsIT.assertOneLine(r, 4);
    assertThat(r.err()).contains("no certificate with serial abcdef");
  }

  @Test
  void aMissingPassphraseFileIsNamedWithWhereItWasLookedFor() throws Exception {
    Path elsewhere = Files.createDirectories(work.resolve("copied-config"));
    Files.copy(
        data.resolve("server.toml"),
        elsewhere.resolve("server.toml")); // its relative key paths now point at nothing

    Result r =
        estuary(
            "server",
            "--config",
            elsewhere.resolve("server.toml").toString(),
            "--est-port",
            "0",
            "--admin-port",
            "0");

    CliErrorsIT.assertOneLine(r, 1);
    assertThat(r.err())
        .contains("keystore passphrase file " + elsewhere.resolve("keys/keystore.pass"))
        .contains("passphrase_file")
        .contains("does not exist");
  }

  @Test
  void launcherScriptFindsAJdk21EvenWhenTheDefaultJavaIsOlder() throws Exception {
    Path root = Path.of(System.getProperty("estuary.root")).toRealPath();
    ProcessBuilder pb = new ProcessBuilder(root.resolve("estuary").toString(), "--help");
    pb.environment().put("ESTUARY_JAR", jar()); // the jar this build made: no nested build
    Path jdk17 = Path.of("/usr/lib/jvm/java-17-openjdk-amd64");
    if (Files.isDirectory(jdk17)) {
      pb.environment().put("JAVA_HOME", jdk17.toString());
      pb.environment().put("PATH", jdk17.resolve("bin") + ":" + System.getenv("PATH"));
    }
    Result r = run(pb);
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("Usage: estuary").contains("server");
  }

  /**
   * A new directory with k.pem, r.csr and c.pem: a certificate enrolled with the factory secret, as
   * a factory line does.
   */
  private Path factoryIdentity(String cn, String keyOptions) throws Exception {
    Path dir = Files.createTempDirectory(work, cn);
    sh(
        dir,
        "openssl req -nodes -new "
            + keyOptions
            + " -subj /CN="
            + cn
            + " -sha256 -keyout k.pem -out r.csr");
    Result got =
        sh(
            dir,
            enroll(info.get("factory_secret").asText())
                + " | openssl base64 -d | openssl pkcs7 -inform DER -print_certs | openssl x509 -out c.pem");
    assertThat(got.code()).as(got.err()).isZero();
    return dir;
  }

  private String enroll(String secret) {
    return "curl -sS --cacert "
        + info.get("root_ca").asText()
        + " -X POST --data-binary @r.csr -H 'Content-Transfer-Encoding:base64'"
        + " -H 'Secret-Value: "
        + secret
        + "' -H 'Content-Type:application/pkcs10' "
        + info.get("est_url").asText()
        + "/simpleenroll";
  }

  private static Result estuary(String... args) throws Exception {
    return EstuaryJar.run(work, args);
  }

  private static Result sh(Path dir, String script) throws Exception {
    return EstuaryJar.sh(dir, script);
  }

  private static Result run(ProcessBuilder pb) throws IOException, InterruptedException {
    return EstuaryJar.run(work, pb);
  }

  private static String java() {
    return EstuaryJar.java();
  }

  private static String jar() {
    return EstuaryJar.jar();
  }
}
