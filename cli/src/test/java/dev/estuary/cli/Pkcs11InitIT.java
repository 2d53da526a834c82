package dev.estuary.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import dev.estuary.cli.EstuaryJar.Result;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/operations.md's PKCS#11 route of {@code estuary server init}, run as the document says
 * against a real SoftHSM2 token: the token holds four CA keys generated inside it, with their
 * certificates under an offline root ({@link TokenCaSetup}); the document's block runs the jar's
 * {@code server init}; the data directory holds no private key; the server starts on the result
 * (SunPKCS11, the token's keys) and a device enrolls a certificate that {@code openssl verify}
 * accepts under the token's root, over TLS from the key init generated in the token. A key stored
 * with another key's certificate is refused in one line. Needs Debian's {@code softhsm2} package
 * (./estuary test installs it); without it this test fails, it does not skip.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class Pkcs11InitIT {
  private static final Path MODULE = Path.of("/usr/lib/softhsm/libsofthsm2.so");
  private static final String TOKEN = "estuary-ca";
  private static final String PIN = "4321";
  private static final Pattern SERVING =
      Pattern.compile(
          "serving EST on 127\\.0\\.0\\.1:(\\d+) .*admin API on 127\\.0\\.0\\.1:(\\d+)");
  private static final MarkdownBlocks DOC =
      MarkdownBlocks.of(Path.of("..", "docs", "operations.md"));

  @TempDir Path work;
  private Map<String, String> env;
  private Process server;

  @AfterEach
  void stop() throws InterruptedException {
    if (server != null) {
      server.destroy();
      if (!server.waitFor(30, TimeUnit.SECONDS)) {
        server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void serverInitOnTokenKeysServesAndIssuesUnderTheTokensRoot() throws Exception {
    if (!Files.isReadable(MODULE) || !Files.isExecutable(Path.of("/usr/bin/softhsm2-util"))) {
      fail("SoftHSM2 is not installed: apt-get install softhsm2 (./estuary test does as root)");
    }
    // 1. A token store of the test's own, one token, and the operator's CA keys in it.
    Path tokens = Files.createDirectories(work.resolve("tokens"));
    Path conf = work.resolve("softhsm2.conf");
    Files.writeString(
        conf,
        "directories.tokendir = " + tokens + "\nobjectstore.backend = file\nlog.level = ERROR\n");
    env = Map.of("SOFTHSM2_CONF", conf.toString(), "TOKEN_PIN", PIN);
    Result initToken =
        shell(
            "softhsm2-util --init-token --free --label "
                + TOKEN
                + " --pin "
                + PIN
                + " --so-pin 8765");
    assertThat(initToken.code()).as(initToken.describe()).isZero();
    Result setup = java(TokenCaSetup.class, MODULE.toString(), TOKEN, PIN, work.toString());
    assertThat(setup.code()).as(setup.describe()).isZero();
    assertThat(setup.out()).contains("SETUP OK");
    Path importedRoot = work.resolve("imported-root.pem");

    // 2. The document's block: server init on the token's keys.
    Path data = work.resolve("data");
    Map<String, String> paths = new LinkedHashMap<>();
    paths.put("/var/lib/estuary-server", data.toString());
    paths.put("/root/", work + "/");
    paths.put("est.example.com,est,10.0.0.5", "localhost,127.0.0.1");
    paths.put(
        "server init --data-dir",
        "server init --est-listen 127.0.0.1:0 --admin-listen 127.0.0.1:0 --data-dir");
    String block = DOC.blockContaining("## 3.", "sh", "--pkcs11-library");
    Result init = shell(estuaryFunction() + "set -e\n" + substitute(block, paths));
    assertThat(init.code()).as(init.describe()).isZero();
    assertThat(Files.readString(work.resolve("estuary-admin-token")).strip())
        .matches("[A-Za-z0-9]{40}");

    // Nothing in the data directory is a private key; server.toml names the token.
    try (Stream<Path> files = Files.walk(data)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        assertThat(f.getFileName().toString()).doesNotEndWith(".p12");
        if (!f.startsWith(data.resolve("db"))) {
          assertThat(Files.readString(f)).as(f.toString()).doesNotContain("PRIVATE KEY");
        }
      }
    }
    String toml = Files.readString(data.resolve("server.toml"));
    assertThat(toml)
        .contains("source = \"pkcs11\"", "token_label = \"" + TOKEN + "\"", "ca = \"idevid-ca\"")
        .containsPattern("alias = \"estuary-tls-\\d{8}T\\d{6}Z\"");
    assertThat(Files.readString(data.resolve("keys/token.pin")).strip()).isEqualTo(PIN);
    assertThat(Files.mismatch(data.resolve("root-ca.pem"), importedRoot)).isEqualTo(-1L);

    // A key stored with another key's certificate: refused in one line, nothing written.
    Path other = work.resolve("other");
    Result wrong =
        shell(
            estuaryFunction()
                + "estuary server init --data-dir "
                + other
                + " --names localhost --pkcs11-library "
                + MODULE
                + " --pkcs11-token-label "
                + TOKEN
                + " --pkcs11-pin-file "
                + work.resolve("token.pin")
                + " --token-ca idevid=wrong-key --token-ca device-id=device-id-ca"
                + " --token-ca edge-ca=edge-ca-ca --token-ca tls=tls-ca");
    assertThat(wrong.code()).as(wrong.describe()).isEqualTo(2);
    assertThat(wrong.err().strip())
        .doesNotContain("\n")
        .contains("--token-ca idevid=wrong-key", "does not belong to its certificate");
    assertThat(other).doesNotExist();

    // 3. The server on the result: the token's keys, nothing else.
    int[] ports = startServer(data);
    String est = "https://localhost:" + ports[0];
    Result secret =
        EstuaryJar.run(
            work,
            "server",
            "secret",
            "create",
            "--label",
            "idevid",
            "--uses",
            "1",
            "--admin-url",
            "https://127.0.0.1:" + ports[1],
            "--admin-token-file",
            work.resolve("estuary-admin-token").toString(),
            "--cacert",
            importedRoot.toString());
    assertThat(secret.code()).as(secret.describe()).isZero();

    // 4. A device enrolls over TLS (the token's TLS key) and its certificate verifies under the
    // token's root, through the token's idevid CA.
    Result device =
        shell(
            "set -e\nEST="
                + est
                + " ROOT="
                + importedRoot
                + "\n"
                + "openssl req -nodes -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -subj /CN=hsm-device-1 -keyout device.key -out device.csr 2>/dev/null\n"
                + "curl -sS --fail --cacert $ROOT -H 'Content-Type: application/pkcs10' -H 'Secret-Value: "
                + secret.out().strip()
                + "' --data-binary @device.csr $EST/.well-known/est/idevid/simpleenroll"
                + " | openssl base64 -d | openssl pkcs7 -inform DER -print_certs | openssl x509 -out device.pem\n"
                + "curl -sS --fail --cacert $ROOT $EST/.well-known/est/idevid/cacerts | openssl base64 -d | openssl pkcs7 -inform DER -print_certs > chain.pem\n"
                + "openssl verify -CAfile $ROOT -untrusted chain.pem device.pem\n"
                + "openssl x509 -in device.pem -noout -issuer\n");
    assertThat(device.code()).as(device.describe()).isZero();
    assertThat(device.out()).contains("device.pem: OK", "Token idevid CA");
  }

  /** Starts {@code estuary server --config DATA/server.toml}; returns its EST and admin ports. */
  private int[] startServer(Path data) throws Exception {
    Path log = work.resolve("server.log");
    ProcessBuilder pb =
        new ProcessBuilder(
                EstuaryJar.java(),
                "-jar",
                EstuaryJar.jar(),
                "server",
                "--config",
                data.resolve("server.toml").toString())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    pb.environment().putAll(env);
    server = pb.start();
    int[] ports = new int[2];
    Process p = server;
    Awaitility.await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              String text = Files.exists(log) ? Files.readString(log) : "";
              if (!p.isAlive()) {
                throw new IllegalStateException("the server exited:\n" + text);
              }
              Matcher m = SERVING.matcher(text);
              if (m.find()) {
                ports[0] = Integer.parseInt(m.group(1));
                ports[1] = Integer.parseInt(m.group(2));
                return true;
              }
              return false;
            });
    return ports;
  }

  /** A bash function {@code estuary} running the jar under test. */
  private static String estuaryFunction() {
    return "estuary() { '" + EstuaryJar.java() + "' -jar '" + EstuaryJar.jar() + "' \"$@\"; }\n";
  }

  /** Runs a bash script in the work directory with the token's environment. */
  private Result shell(String script) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder("bash", "-c", "set -o pipefail; " + script)
            .directory(work.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    pb.environment().putAll(env == null ? Map.of() : env);
    return EstuaryJar.run(work, pb);
  }

  /** Runs {@code main} of a test class in a child JVM with the token's environment. */
  private Result java(Class<?> main, String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(EstuaryJar.java());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(main.getName());
    cmd.addAll(List.of(args));
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .directory(work.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    pb.environment().putAll(env);
    return EstuaryJar.run(work, pb);
  }

  private static String substitute(String text, Map<String, String> substitutions) {
    for (var e : substitutions.entrySet()) {
      text = text.replace(e.getKey(), e.getValue());
    }
    return text;
  }
}
