package dev.estuary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.estuary.cli.EstuaryJar.Result;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/factory.md against a quickstart server, through the jar: {@code estuary factory idevid
 * --count 200} killed halfway and resumed (no duplicate, 200 rows, each row's serial its file's,
 * every certificate verified with Java, a sample with openssl), a half-made device redone, a
 * per-device failure that does not stop the batch, and a wrong secret that stops it before any
 * device is written.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class FactoryIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final MarkdownBlocks DOC =
      MarkdownBlocks.of(Path.of(System.getProperty("estuary.root"), "docs", "factory.md"));
  private static final int COUNT = 200;

  @TempDir static Path work;
  static Process server;
  static JsonNode info;
  static Map<String, String> ports;
  static X509Certificate root;

  @BeforeAll
  static void startServer() throws Exception {
    Path data = work.resolve("estuary-data");
    server = EstuaryJar.startQuickstart(data, work.resolve("server.log"));
    info = JSON.readTree(data.resolve("quickstart.json").toFile());
    String port = info.get("est_url").asText().replaceAll(".*:(\\d+)/.*", "$1");
    ports = new LinkedHashMap<>();
    ports.put("localhost:8443", "localhost:" + port);
    root = certificate(Files.readString(data.resolve("root-ca.pem")));
  }

  @AfterAll
  static void stopServer() throws Exception {
    EstuaryJar.stop(server);
  }

  @Test
  void twoHundredIdevidsResumeAfterAKillWithoutDuplicatesAndAllVerify() throws Exception {
    Result secret = sh(DOC.block("## 1.", "sh", 0));
    assertThat(secret.code()).as(secret.describe()).isZero();
    assertThat(Files.readString(work.resolve("factory.secret")).strip()).contains(".");

    // The batch, killed (SIGKILL, process and children) once about a quarter is made.
    String batch = DOC.block("## 2.", "sh", 0);
    Path manifest = work.resolve("batch-42/manifest.csv");
    Process first = start(batch, work.resolve("first.log"));
    try {
      Awaitility.await()
          .atMost(Duration.ofMinutes(3))
          .pollInterval(Duration.ofMillis(50))
          .until(
              () -> {
                if (!first.isAlive()) {
                  throw new IllegalStateException(
                      "the batch ended before it was killed:\n"
                          + Files.readString(work.resolve("first.log")));
                }
                return Files.exists(manifest) && rows(manifest).size() >= COUNT / 4;
              });
    } finally {
      first.descendants().forEach(ProcessHandle::destroyForcibly);
      first.destroyForcibly();
      first.waitFor(20, TimeUnit.SECONDS);
    }
    int before = rows(manifest).size();
    assertThat(before).isBetween(COUNT / 4, COUNT - 1);

    // The same command again: the rest made, what was made skipped.
    Result resumed = sh(batch);
    assertThat(resumed.code()).as(resumed.describe()).isZero();
    assertThat(resumed.out())
        .contains(COUNT + " devices: ")
        .containsPattern("(\\d+) already made")
        .contains(" 0 failed");
    int skipped =
        Integer.parseInt(resumed.out().replaceAll("(?s).*, (\\d+) already made.*", "$1").strip());
    assertThat(skipped).isGreaterThanOrEqualTo(before);

    List<String[]> rows = rows(manifest);
    assertThat(rows).hasSize(COUNT);
    List<String> ids = rows.stream().map(r -> r[0]).toList();
    assertThat(new HashSet<>(ids)).hasSize(COUNT);
    assertThat(new HashSet<>(ids))
        .isEqualTo(
            new HashSet<>(
                IntStream.rangeClosed(1, COUNT)
                    .mapToObj(i -> String.format("line7-%04d", i))
                    .toList()));
    Set<BigInteger> serials = new HashSet<>();
    for (String[] row : rows) {
      Path dir = work.resolve("batch-42").resolve(row[0]);
      X509Certificate cert = certificate(Files.readString(dir.resolve("IDevID.cert.pem")));
      assertThat(cert.getSerialNumber().toString(16)).as(row[0]).isEqualTo(row[1]);
      assertThat(HexFormat.of().formatHex(sha256(cert.getEncoded()))).isEqualTo(row[2]);
      assertThat(cert.getNotAfter().toInstant().toString()).isEqualTo(row[3]);
      assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=" + row[0]);
      verifiesUnderRoot(cert, certificates(Files.readString(dir.resolve("ca-chain.pem"))));
      assertThat(keyMatches(dir.resolve("IDevID.key.pem"), cert)).as(row[0]).isTrue();
      assertThat(
              PosixFilePermissions.toString(
                  Files.getPosixFilePermissions(dir.resolve("IDevID.key.pem"))))
          .isEqualTo("rw-------");
      assertThat(certificate(Files.readString(dir.resolve("root-ca.pem")))).isEqualTo(root);
      serials.add(cert.getSerialNumber());
    }
    assertThat(serials).hasSize(COUNT);
    try (Stream<Path> dirs = Files.list(work.resolve("batch-42"))) {
      assertThat(dirs.filter(Files::isDirectory).count()).isEqualTo(COUNT);
    }

    // openssl verify, as a process, on a sample (the doc's check on line7-0001, and nine more).
    String check = DOC.block("## 3.", "sh", 0);
    for (int i = 1; i <= COUNT; i += 22) {
      String id = String.format("line7-%04d", i);
      Result r = sh(check.replace("line7-0001", id));
      assertThat(r.code()).as(r.describe()).isZero();
      assertThat(r.out()).contains("IDevID.cert.pem: OK", "subject=CN = " + id);
    }

    // A half-made device (another device's key beside its certificate) is made again.
    Path d7 = work.resolve("batch-42/line7-0007");
    String oldSerial =
        certificate(Files.readString(d7.resolve("IDevID.cert.pem"))).getSerialNumber().toString(16);
    Files.copy(
        work.resolve("batch-42/line7-0008/IDevID.key.pem"),
        d7.resolve("IDevID.key.pem"),
        StandardCopyOption.REPLACE_EXISTING);
    Result again = sh(batch);
    assertThat(again.code()).as(again.describe()).isZero();
    assertThat(again.out())
        .contains("line7-0007 was half made (IDevID.key.pem is not the key of IDevID.cert.pem)")
        .contains(COUNT + " devices: 1 made, " + (COUNT - 1) + " already made, 0 failed");
    X509Certificate redone = certificate(Files.readString(d7.resolve("IDevID.cert.pem")));
    assertThat(redone.getSerialNumber().toString(16)).isNotEqualTo(oldSerial);
    assertThat(keyMatches(d7.resolve("IDevID.key.pem"), redone)).isTrue();
    List<String[]> after = rows(manifest);
    assertThat(after).hasSize(COUNT);
    assertThat(after.stream().filter(r -> r[0].equals("line7-0007")).toList())
        .singleElement()
        .satisfies(r -> assertThat(r[1]).isEqualTo(redone.getSerialNumber().toString(16)));
  }

  @Test
  void aWrongSecretStopsAtTheFirstDeviceWithOneSentenceAndWritesNothing() throws Exception {
    Path bad = work.resolve("bad.secret");
    Files.writeString(bad, "0000000000.not-the-secret\n");
    Result r =
        factory(
            "--count",
            "20",
            "--prefix",
            "bad-",
            "--out",
            work.resolve("bad-batch").toString(),
            "--secret-file",
            bad.toString());
    assertThat(r.code()).as(r.describe()).isEqualTo(1);
    assertThat(r.err().strip().lines()).as(r.describe()).hasSize(1);
    assertThat(r.err())
        .startsWith("estuary factory idevid: the EST server refused the bootstrap secret in ")
        .contains("401")
        .doesNotContain("not-the-secret");
    assertThat(work.resolve("bad-batch")).doesNotExist();
  }

  @Test
  void aDeviceThatFailsIsCountedAndTheBatchGoesOnWithBasicCredentials() throws Exception {
    Path basic = work.resolve("basic.txt");
    Files.writeString(
        basic,
        info.get("basic_username").asText() + ":" + info.get("basic_password").asText() + "\n");
    Path out = work.resolve("basic-batch");
    Files.createDirectories(out);
    Files.writeString(out.resolve("b-0002"), "a file where the device's directory goes");
    Result r =
        factory(
            "--count",
            "4",
            "--prefix",
            "b-",
            "--out",
            out.toString(),
            "--basic-file",
            basic.toString(),
            "--key",
            "rsa-2048",
            "--concurrency",
            "2");
    assertThat(r.code()).as(r.describe()).isEqualTo(1);
    assertThat(r.err()).contains("b-0002 failed: cannot write its files");
    assertThat(r.err().strip().lines().toList().getLast())
        .isEqualTo(
            "estuary factory idevid: 1 of 4 devices failed (reasons above); run the same command again to make them");
    assertThat(r.out()).contains("4 devices: 3 made, 0 already made, 1 failed");
    assertThat(rows(out.resolve("manifest.csv"))).hasSize(3);

    Files.delete(out.resolve("b-0002"));
    Result again =
        factory(
            "--count",
            "4",
            "--prefix",
            "b-",
            "--out",
            out.toString(),
            "--basic-file",
            basic.toString(),
            "--key",
            "rsa-2048");
    assertThat(again.code()).as(again.describe()).isZero();
    assertThat(again.out()).contains("4 devices: 1 made, 3 already made, 0 failed");
    List<String[]> rows = rows(out.resolve("manifest.csv"));
    assertThat(rows.stream().map(x -> x[0]).sorted().toList())
        .containsExactly("b-0001", "b-0002", "b-0003", "b-0004");
    X509Certificate cert = certificate(Files.readString(out.resolve("b-0002/IDevID.cert.pem")));
    assertThat(cert.getPublicKey().getAlgorithm()).isEqualTo("RSA");
    verifiesUnderRoot(cert, certificates(Files.readString(out.resolve("b-0002/ca-chain.pem"))));
  }

  private static Result factory(String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of("factory", "idevid"));
    all.addAll(List.of(args));
    all.addAll(
        List.of(
            "--est-url",
            info.get("labels").get("idevid").asText(),
            "--cacert",
            work.resolve("estuary-data/root-ca.pem").toString()));
    return EstuaryJar.run(work, all.toArray(String[]::new));
  }

  /** The manifest's data rows (the header skipped). */
  private static List<String[]> rows(Path manifest) throws Exception {
    List<String> lines = Files.readAllLines(manifest, StandardCharsets.UTF_8);
    assertThat(lines.get(0)).isEqualTo("id,serial,sha256,not_after");
    return lines.subList(1, lines.size()).stream()
        .filter(l -> l.split(",", -1).length == 4)
        .map(l -> l.split(",", -1))
        .toList();
  }

  private static void verifiesUnderRoot(X509Certificate leaf, List<X509Certificate> chain)
      throws Exception {
    List<X509Certificate> path = new ArrayList<>();
    path.add(leaf);
    path.addAll(chain);
    PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(root, null)));
    params.setRevocationEnabled(false);
    CertPathValidator.getInstance("PKIX")
        .validate(CertificateFactory.getInstance("X.509").generateCertPath(path), params);
  }

  /** Whether the key file signs what the certificate's key verifies. */
  private static boolean keyMatches(Path keyFile, X509Certificate cert) throws Exception {
    String pem = Files.readString(keyFile);
    assertThat(pem).startsWith("-----BEGIN PRIVATE KEY-----");
    byte[] der =
        Base64.getMimeDecoder()
            .decode(pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", ""));
    String alg = cert.getPublicKey().getAlgorithm();
    PrivateKey key = KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
    String sigAlg = alg.equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
    byte[] data = "factory".getBytes(StandardCharsets.UTF_8);
    Signature s = Signature.getInstance(sigAlg);
    s.initSign(key);
    s.update(data);
    byte[] sig = s.sign();
    Signature v = Signature.getInstance(sigAlg);
    v.initVerify(cert.getPublicKey());
    v.update(data);
    return v.verify(sig);
  }

  private static byte[] sha256(byte[] data) throws Exception {
    return MessageDigest.getInstance("SHA-256").digest(data);
  }

  private static X509Certificate certificate(String pem) throws Exception {
    return certificates(pem).get(0);
  }

  @SuppressWarnings("unchecked")
  private static List<X509Certificate> certificates(String pem) throws Exception {
    return new ArrayList<>(
        (Collection<X509Certificate>)
            CertificateFactory.getInstance("X.509")
                .generateCertificates(
                    new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII))));
  }

  /** Runs a block of the document with {@code estuary} as the jar, in the work directory. */
  private static Result sh(String block) throws Exception {
    return EstuaryJar.sh(work, script(block));
  }

  private static Process start(String block, Path log) throws Exception {
    return new ProcessBuilder("bash", "-c", script(block))
        .directory(work.toFile())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
  }

  private static String script(String block) {
    String text = block;
    for (var e : ports.entrySet()) {
      text = text.replace(e.getKey(), e.getValue());
    }
    return "estuary() { '"
        + EstuaryJar.java()
        + "' -jar '"
        + EstuaryJar.jar()
        + "' \"$@\"; }\nset -e\n"
        + text;
  }
}
