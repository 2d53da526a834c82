package dev.estuary.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import dev.estuary.cli.EstuaryJar.Result;
import dev.estuary.server.testing.QuickstartServer;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Signature;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/factory.md's {@code --pkcs11} (section 4, its blocks run as written, the server's URL and
 * root substituted): {@code estuary factory idevid} (the jar) against a quickstart server makes
 * five IDevIDs whose keys are generated inside a real SoftHSM2 token, each labelled with its device
 * id. The device directories name the keys ({@code IDevID.key.uri}) and hold no private key; a
 * child JVM ({@link TokenKeyReport}) looks into the token: exactly those five keys, token objects,
 * sensitive and not extractable, each signing what its certificate's public key verifies. Resuming
 * skips the five, a device whose certificate is gone is made again with a new token key (the old
 * one replaced, not left behind), and a wrong PIN stops the tool with one line. Needs Debian's
 * {@code softhsm2} package (./estuary test installs it); without it this test fails, it does not
 * skip.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class FactoryPkcs11IT {
  private static final Path MODULE = Path.of("/usr/lib/softhsm/libsofthsm2.so");
  private static final String TOKEN = "factory-line";
  private static final String PIN = "7531";
  private static final int COUNT = 5;
  private static final MarkdownBlocks DOC =
      MarkdownBlocks.of(Path.of(System.getProperty("estuary.root"), "docs", "factory.md"));

  @TempDir Path work;
  private Map<String, String> env;

  @Test
  void idevidKeysAreMadeInTheTokenNonExtractableAndTheCertificatesCertifyThem() throws Exception {
    if (!Files.isReadable(MODULE) || !Files.isExecutable(Path.of("/usr/bin/softhsm2-util"))) {
      fail("SoftHSM2 is not installed: apt-get install softhsm2 (./estuary test does as root)");
    }
    Path conf = work.resolve("softhsm2.conf");
    Path tokens = Files.createDirectories(work.resolve("tokens"));
    Files.writeString(
        conf,
        "directories.tokendir = "
            + tokens
            + "\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n");
    env = Map.of("SOFTHSM2_CONF", conf.toString());
    Result init = sh(DOC.block("## 4.", "sh", 0));
    assertThat(init.code()).as(init.describe()).isZero();

    try (QuickstartServer server = QuickstartServer.start(work.resolve("server"))) {
      Files.writeString(work.resolve("factory.secret"), server.factorySecret() + "\n");
      String batch =
          DOC.block("## 4.", "sh", 1)
              .replace(
                  "https://localhost:8443/.well-known/est/idevid",
                  server.labelUrl("idevid").replaceAll("/$", ""))
              .replace("estuary-data/root-ca.pem", server.rootPem().toString());
      Path out = work.resolve("hsm-batch");

      Result made = sh(batch);
      assertThat(made.code()).as(made.describe()).isZero();
      assertThat(made.out()).contains(COUNT + " devices: 5 made, 0 already made, 0 failed");
      assertThat(made.out() + made.err()).doesNotContain(PIN);

      List<String> ids =
          IntStream.rangeClosed(1, COUNT).mapToObj(i -> String.format("hsm-%04d", i)).toList();
      X509Certificate root = certificates(Files.readString(server.rootPem())).get(0);
      Map<String, X509Certificate> certs = new LinkedHashMap<>();
      for (String id : ids) {
        Path dir = out.resolve(id);
        assertThat(dir.resolve("IDevID.key.pem")).as(id).doesNotExist();
        assertThat(Files.readString(dir.resolve("IDevID.key.uri")).strip())
            .isEqualTo("pkcs11:token=" + TOKEN + ";object=" + id);
        X509Certificate cert =
            certificates(Files.readString(dir.resolve("IDevID.cert.pem"))).get(0);
        assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=" + id);
        verifiesUnder(root, cert, certificates(Files.readString(dir.resolve("ca-chain.pem"))));
        certs.put(id, cert);
      }
      assertThat(Files.readAllLines(out.resolve("manifest.csv"))).hasSize(COUNT + 1);
      assertThat(allText(out)).as("no private key in the batch").doesNotContain("PRIVATE KEY");

      Map<String, String[]> keys = report();
      assertThat(keys.keySet()).containsExactlyInAnyOrderElementsOf(ids);
      for (String id : ids) {
        String[] k = keys.get(id);
        assertThat(k[0]).as(id).contains("token_object,_sensitive,_unextractable");
        assertThat(k[1]).as("%s: the key's encoding is readable", id).isEqualTo("false");
        assertThat(verifies(certs.get(id), id, k[2]))
            .as("%s: the token key signs what the certificate's key verifies", id)
            .isTrue();
      }

      // Resumed: the five are checked against the token and skipped.
      Result resumed = sh(batch);
      assertThat(resumed.code()).as(resumed.describe()).isZero();
      assertThat(resumed.out()).contains(COUNT + " devices: 0 made, 5 already made, 0 failed");

      // A device whose certificate is gone is made again: a new key under the same label.
      Files.delete(out.resolve("hsm-0003/IDevID.cert.pem"));
      Result redone = sh(batch);
      assertThat(redone.code()).as(redone.describe()).isZero();
      assertThat(redone.out()).contains(COUNT + " devices: 1 made, 4 already made, 0 failed");
      X509Certificate again =
          certificates(Files.readString(out.resolve("hsm-0003/IDevID.cert.pem"))).get(0);
      assertThat(again.getPublicKey()).isNotEqualTo(certs.get("hsm-0003").getPublicKey());
      Map<String, String[]> after = report();
      assertThat(after.keySet())
          .as("the old key replaced")
          .containsExactlyInAnyOrderElementsOf(ids);
      assertThat(verifies(again, "hsm-0003", after.get("hsm-0003")[2])).isTrue();
      assertThat(Files.readAllLines(out.resolve("manifest.csv"))).hasSize(COUNT + 1);

      // A wrong PIN: one line, nothing made.
      Path wrong = work.resolve("wrong.pin");
      Files.writeString(wrong, "0000");
      Result refused = sh(batch.replace("token.pin", "wrong.pin").replace("hsm-batch", "never"));
      assertThat(refused.code()).as(refused.describe()).isEqualTo(2);
      assertThat(refused.err().strip().lines()).as(refused.describe()).hasSize(1);
      assertThat(refused.err()).contains("--pkcs11: wrong PIN for token '" + TOKEN + "'");
      assertThat(work.resolve("never")).doesNotExist();
    }
  }

  /** Runs a block of docs/factory.md with {@code estuary} as the jar, in the work directory. */
  private Result sh(String block) throws Exception {
    String script =
        "estuary() { '"
            + EstuaryJar.java()
            + "' -jar '"
            + EstuaryJar.jar()
            + "' \"$@\"; }\nset -e\n"
            + block;
    ProcessBuilder pb =
        new ProcessBuilder("bash", "-c", script)
            .directory(work.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    pb.environment().putAll(env);
    return EstuaryJar.run(work, pb);
  }

  /** The token's key entries by label: what SunPKCS11 says of the key, encoded?, a signature. */
  private Map<String, String[]> report() throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(
                EstuaryJar.java(),
                "-cp",
                System.getProperty("java.class.path"),
                TokenKeyReport.class.getName(),
                MODULE.toString(),
                TOKEN,
                PIN)
            .directory(work.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    pb.environment().putAll(env);
    Result r = EstuaryJar.run(work, pb);
    assertThat(r.code()).as(r.describe()).isZero();
    assertThat(r.out()).as(r.describe()).contains("REPORT OK");
    Map<String, String[]> keys = new LinkedHashMap<>();
    for (String line : r.out().lines().toList()) {
      String[] f = line.split(" ");
      if (f[0].equals("KEY")) {
        keys.put(f[1], new String[] {f[2], f[3], null});
      } else if (f[0].equals("SIG")) {
        keys.get(f[1])[2] = f[2];
      }
    }
    return keys;
  }

  private static boolean verifies(X509Certificate cert, String label, String signature)
      throws Exception {
    String alg =
        cert.getPublicKey().getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
    Signature v = Signature.getInstance(alg);
    v.initVerify(cert.getPublicKey());
    v.update(("factory-" + label).getBytes(StandardCharsets.UTF_8));
    return v.verify(Base64.getDecoder().decode(signature));
  }

  private static void verifiesUnder(
      X509Certificate root, X509Certificate leaf, List<X509Certificate> chain) throws Exception {
    List<X509Certificate> path = new ArrayList<>();
    path.add(leaf);
    path.addAll(chain);
    PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(root, null)));
    params.setRevocationEnabled(false);
    CertPathValidator.getInstance("PKIX")
        .validate(CertificateFactory.getInstance("X.509").generateCertPath(path), params);
  }

  @SuppressWarnings("unchecked")
  private static List<X509Certificate> certificates(String pem) throws Exception {
    return new ArrayList<>(
        (Collection<X509Certificate>)
            CertificateFactory.getInstance("X.509")
                .generateCertificates(
                    new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII))));
  }

  private static String allText(Path dir) throws Exception {
    StringBuilder all = new StringBuilder();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        all.append(Files.readString(f, StandardCharsets.ISO_8859_1));
      }
    }
    return all.toString();
  }
}
