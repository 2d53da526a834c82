package dev.estuary.server.pkcs11;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.estuary.pki.CertsOnlyPkcs7;
import dev.estuary.pki.EstBase64;
import dev.estuary.pki.Pem;
import dev.estuary.server.quickstart.Quickstart;
import dev.estuary.server.testing.TestPki;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLSession;
import org.bouncycastle.asn1.x500.X500Name;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PKCS#11 key source, end to end against a real SoftHSM2 token: the quickstart hierarchy's keys
 * go into a private token (some copied in, the idevid CA and TLS keys generated inside it and not
 * extractable), server.toml is switched to {@code source = "pkcs11"}, and a device enrolls over
 * HTTPS. The certificate it gets must be signed by the token's CA key, and the TLS handshake must
 * present the token's TLS certificate: neither private key exists outside the token.
 *
 * <p>The token lives in a temp dir named by {@code SOFTHSM2_CONF}, which SoftHSM2 reads from the
 * process environment: so the token setup and the server run in child JVMs ({@link
 * SoftHsmServerMain}) started with that variable. Needs Debian's {@code softhsm2} package; without
 * it this test fails (it does not skip).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SoftHsmKeySourceTest {
  static final Path MODULE = Path.of("/usr/lib/softhsm/libsofthsm2.so");
  static final String TOKEN = "estuary";
  static final String PIN = "1234";
  static final String SO_PIN = "5678";
  private static final Duration CHILD_TIMEOUT = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  private Process server;
  private final long started = System.nanoTime();

  private void step(String what) {
    System.err.printf("[softhsm] %-40s %6d ms%n", what, (System.nanoTime() - started) / 1_000_000);
  }

  @AfterEach
  void stopServer() throws InterruptedException {
    if (server != null && server.isAlive()) {
      try {
        server.getOutputStream().close(); // the child serves until its stdin closes
      } catch (IOException e) {
        // already gone
      }
      if (!server.waitFor(10, TimeUnit.SECONDS)) {
        server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void enrollsWithCaAndTlsKeysHeldInSoftHsm() throws Exception {
    String util = softhsmUtil();
    if (!Files.isReadable(MODULE) || util == null) {
      fail(
          "SoftHSM2 is not installed ("
              + MODULE
              + (util == null ? " and softhsm2-util" : "")
              + " missing): the PKCS#11 key-source test needs a real token. "
              + "Install it with `apt-get install softhsm2` (Debian; ./estuary test does when run as root).");
    }

    // 1. A private token store and an initialised token "estuary".
    Path tokens = Files.createDirectories(tmp.resolve("tokens"));
    Path conf = tmp.resolve("softhsm2.conf");
    Files.writeString(
        conf,
        "directories.tokendir = "
            + tokens
            + "\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n");
    // A decoy token first: the server must pick "estuary" by its label, whatever the slot order.
    ProcessResult decoy =
        run(
            List.of(
                util,
                "--init-token",
                "--free",
                "--label",
                "decoy",
                "--pin",
                "0000",
                "--so-pin",
                SO_PIN),
            conf,
            null);
    assertThat(decoy.exit()).as("softhsm2-util --init-token (decoy):\n%s", decoy.output()).isZero();
    ProcessResult init =
        run(
            List.of(
                util, "--init-token", "--free", "--label", TOKEN, "--pin", PIN, "--so-pin", SO_PIN),
            conf,
            null);
    assertThat(init.exit()).as("softhsm2-util --init-token:\n%s", init.output()).isZero();
    Matcher reassigned = Pattern.compile("reassigned to slot (\\d+)").matcher(init.output());
    assertThat(reassigned.find())
        .as("softhsm2-util names the token's slot:\n%s", init.output())
        .isTrue();
    String slotId = reassigned.group(1);

    // 2. The quickstart data dir (software keys in keys/ca-keys.p12), then its keys into the token.
    Path data = tmp.resolve("data");
    step("tokens initialised");
    new Quickstart(data, Clock.systemUTC(), new SecureRandom()).prepare();
    step("quickstart prepared");
    X509Certificate root =
        Pem.certificates(Files.readString(data.resolve(Quickstart.ROOT_PEM))).getFirst();
    String factorySecret =
        JSON.readTree(data.resolve(Quickstart.INFO).toFile()).get("factory_secret").asText();

    ProcessResult setup =
        run(
            javaCommand("setup", data.toString(), MODULE.toString(), slotId, PIN),
            conf,
            tmp.resolve("setup.err"));
    assertThat(setup.exit())
        .as("token setup child:\n%s\n%s", setup.output(), setup.errors())
        .isZero();
    step("keys put into the token (child JVM)");
    Map<String, X509Certificate> inToken = new HashMap<>();
    Map<String, Boolean> extractable = new HashMap<>();
    for (String line : setup.output().split("\n")) {
      String[] f = line.strip().split(" ");
      if (f[0].equals("TOKEN")) {
        inToken.put(f[1], certificate(Base64.getDecoder().decode(f[2])));
      } else if (f[0].equals("EXTRACTABLE")) {
        extractable.put(f[1], Boolean.parseBoolean(f[2]));
      }
    }
    assertThat(inToken)
        .as("key entries read back from the token")
        .containsOnlyKeys("root", "idevid-ca", "device-id-ca", "edge-ca-ca", "tls");
    for (String alias : SoftHsmServerMain.GENERATED) {
      assertThat(extractable.get(alias))
          .as("%s generated in the token must not be extractable (getEncoded() == null)", alias)
          .isFalse();
    }
    X509Certificate tokenCa = inToken.get("idevid-ca");
    X509Certificate tokenTls = inToken.get("tls");
    assertThat(X500Name.getInstance(tokenCa.getSubjectX500Principal().getEncoded()))
        .isEqualTo(new X500Name(SoftHsmServerMain.TOKEN_CA_SUBJECT));
    tokenCa.verify(root.getPublicKey());
    tokenTls.verify(root.getPublicKey());

    // 3. server.toml now names the token instead of the PKCS#12 file, and the server starts on it.
    Path pinFile = data.resolve("keys/token.pin");
    Files.writeString(pinFile, PIN + "\n");
    Path toml = data.resolve(Quickstart.CONFIG);
    String original = Files.readString(toml);
    String pkcs11Keys =
        """
        [keys]
        source = "pkcs11"
        library = "%s"
        token_label = "%s"
        pin_file = "%s"

        """
            .formatted(MODULE, TOKEN, pinFile);
    String edited =
        original.replaceFirst(
            "(?ms)^\\[keys\\]\\n.*?(?=^\\[)", Matcher.quoteReplacement(pkcs11Keys));
    assertThat(edited).contains("source = \"pkcs11\"").doesNotContain("ca-keys.p12");
    Files.writeString(toml, edited);
    // The software keystore is moved away: the server can only use the token.
    Files.move(data.resolve("keys/ca-keys.p12"), tmp.resolve("ca-keys.p12.moved-away"));

    int port = startServer(data, conf);
    step("server started on the token (child JVM)");

    // 4. A device enrolls over HTTPS with the factory secret.
    HttpClient client =
        HttpClient.newBuilder()
            .sslContext(TestPki.tls(root, null, null))
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    KeyPair device = TestPki.key("ec-p256");
    HttpResponse<byte[]> reply =
        client.send(
            HttpRequest.newBuilder(
                    URI.create(
                        "https://localhost:" + port + "/.well-known/est/idevid/simpleenroll"))
                .timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/pkcs10")
                .header("Secret-Value", factorySecret)
                .POST(
                    HttpRequest.BodyPublishers.ofByteArray(
                        EstBase64.encode(TestPki.csr(device, "CN=softhsm-device-1"))))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(reply.statusCode())
        .as("simpleenroll: %s", new String(reply.body(), StandardCharsets.UTF_8))
        .isEqualTo(200);
    List<X509Certificate> issued = CertsOnlyPkcs7.decode(EstBase64.decode(reply.body()));
    assertThat(issued).isNotEmpty();
    X509Certificate cert = issued.getFirst();
    assertThat(cert.getPublicKey()).isEqualTo(device.getPublic());
    assertThat(cert.getIssuerX500Principal()).isEqualTo(tokenCa.getSubjectX500Principal());
    cert.verify(tokenCa.getPublicKey()); // signed by the key generated inside the token

    // The handshake presented the token's TLS certificate (its key never left the token).
    SSLSession tls = reply.sslSession().orElseThrow();
    assertThat(tls.getPeerCertificates()[0]).isEqualTo(tokenTls);

    // And /cacerts serves the token CA's chain.
    HttpResponse<byte[]> cacerts =
        client.send(
            HttpRequest.newBuilder(
                    URI.create("https://localhost:" + port + "/.well-known/est/idevid/cacerts"))
                .timeout(Duration.ofSeconds(20))
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(cacerts.statusCode()).isEqualTo(200);
    assertThat(CertsOnlyPkcs7.decode(EstBase64.decode(cacerts.body()))).contains(tokenCa, root);
    step("enrolled over TLS");
  }

  /** Starts the server child and returns its EST port, or fails with its standard error. */
  private int startServer(Path data, Path conf) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(javaCommand("serve", data.toString()));
    pb.environment().put("SOFTHSM2_CONF", conf.toString());
    Path err = tmp.resolve("server.err");
    pb.redirectError(err.toFile());
    server = pb.start();
    // Reads stdout to its end (so the child never blocks on a full pipe); completes on EST_PORT.
    CompletableFuture<Integer> port = new CompletableFuture<>();
    Process child = server;
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader out =
                  new BufferedReader(
                      new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                  if (line.startsWith("EST_PORT ")) {
                    port.complete(Integer.parseInt(line.substring(9).strip()));
                  }
                }
              } catch (IOException | RuntimeException e) {
                // the child is gone
              } finally {
                port.complete(-1);
              }
            },
            "softhsm-server-stdout");
    reader.setDaemon(true);
    reader.start();
    int p;
    try {
      p = port.get(CHILD_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      p = -1;
    }
    if (p <= 0) {
      server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      fail("the server did not start on the PKCS#11 key source; its stderr:\n" + tail(err));
    }
    return p;
  }

  record ProcessResult(int exit, String output, String errors) {}

  /** Runs a child to completion (bounded), with SOFTHSM2_CONF set. */
  private static ProcessResult run(List<String> command, Path conf, Path errFile) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().put("SOFTHSM2_CONF", conf.toString());
    if (errFile == null) {
      pb.redirectErrorStream(true);
    } else {
      pb.redirectError(errFile.toFile());
    }
    pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    Process p = pb.start();
    CompletableFuture<String> out =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
              } catch (IOException e) {
                return "";
              }
            });
    if (!p.waitFor(CHILD_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      fail(
          String.join(" ", command)
              + " did not finish within "
              + CHILD_TIMEOUT
              + (errFile == null ? "" : "; stderr:\n" + tail(errFile)));
    }
    return new ProcessResult(
        p.exitValue(), out.get(10, TimeUnit.SECONDS), errFile == null ? "" : tail(errFile));
  }

  /** The java command for {@link SoftHsmServerMain}, on this JVM and classpath. */
  private static List<String> javaCommand(String... args) {
    String java =
        ProcessHandle.current()
            .info()
            .command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    List<String> cmd = new ArrayList<>();
    cmd.add(java);
    cmd.add("-Xshare:auto");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(SoftHsmServerMain.class.getName());
    cmd.addAll(List.of(args));
    return cmd;
  }

  private static String softhsmUtil() {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
      Path p = Path.of(dir, "softhsm2-util");
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    return Files.isExecutable(Path.of("/usr/bin/softhsm2-util")) ? "/usr/bin/softhsm2-util" : null;
  }

  private static X509Certificate certificate(byte[] der) throws Exception {
    return (X509Certificate)
        CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
  }

  private static String tail(Path file) {
    try {
      String s = Files.readString(file);
      return s.length() > 8000 ? "..." + s.substring(s.length() - 8000) : s;
    } catch (IOException e) {
      return "(no " + file + ")";
    }
  }
}
