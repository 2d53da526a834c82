package dev.estuary.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.estuary.pki.Thumbprints;
import dev.estuary.server.store.CertificateRecord;
import dev.estuary.server.testing.QuickstartServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 2, point 1: the seed's IDevID commands, run as written through real {@code curl} and {@code
 * openssl} processes against a real quickstart server, produce the quickstart root as {@code
 * globalsign-root.cert.pem} and an {@code IDevID.cert.pem} that {@code openssl verify} accepts
 * against the chain from {@code cacerts}.
 */
@Timeout(90)
class SeedCommandsTest {
  @TempDir static Path tmp;
  static QuickstartServer server;
  static Path work;

  @BeforeAll
  @Timeout(120)
  static void start() throws Exception {
    server = QuickstartServer.start(tmp.resolve("data"));
    work = Files.createDirectories(tmp.resolve("work"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void seedIdevidCommandsYieldTheQuickstartRootAndAVerifiableIdevid() throws Exception {
    long issuedBefore = server.server().certificates().count();
    String host = SeedFlow.hostPort(server.estUrl());
    assertThat(host).as("the quickstart's own est_url host").startsWith("localhost:");

    // Step 2: the root of trust.
    Shell.ok(work, SeedFlow.cacerts(host, server.rootPem()));
    List<X509Certificate> root = Pkix.pemCertificates(work.resolve("globalsign-root.cert.pem"));
    assertThat(root)
        .as("globalsign-root.cert.pem is exactly the quickstart root (root-ca.pem)")
        .containsExactly(server.root());
    assertThat(root.getFirst().getSubjectX500Principal())
        .isEqualTo(root.getFirst().getIssuerX500Principal());

    // Steps 3 and 4: key, CSR, simpleenroll with the factory secret.
    Shell.ok(work, SeedFlow.REQ);
    Shell.ok(work, SeedFlow.enroll(host, server.rootPem(), server.factorySecret()));
    List<X509Certificate> written = Pkix.pemCertificates(work.resolve("IDevID.cert.pem"));
    assertThat(written).hasSize(1);
    X509Certificate idevid = written.getFirst();
    assertThat(Pkix.cn(idevid)).isEqualTo("IDevID");
    assertThat(idevid.getBasicConstraints()).as("a leaf (CA:FALSE)").isEqualTo(-1);
    assertThat(idevid.getExtendedKeyUsage()).contains(Pkix.CLIENT_AUTH);
    X509Certificate idevidCa = server.server().labels().get("idevid").ca().certificate();
    assertThat(idevid.getIssuerX500Principal()).isEqualTo(idevidCa.getSubjectX500Principal());
    idevid.verify(idevidCa.getPublicKey());
    // The certificate is for the key openssl made in step 3.
    String certKey = Shell.ok(work, "openssl x509 -noout -pubkey -in IDevID.cert.pem").stdout();
    String ownKey = Shell.ok(work, "openssl pkey -pubout -in IDevID.key.pem").stdout();
    assertThat(certKey).contains("BEGIN PUBLIC KEY").isEqualTo(ownKey);

    // openssl verify against the root, with every certificate cacerts returns as untrusted chain.
    Shell.ok(
        work,
        "curl -sS --fail --cacert "
            + server.rootPem()
            + " https://"
            + host
            + "/.well-known/est/cacerts"
            + " | openssl base64 -d | openssl pkcs7 -inform DER -outform PEM -print_certs -out cacerts-chain.pem");
    assertThat(Pkix.pemCertificates(work.resolve("cacerts-chain.pem")))
        .contains(idevidCa, server.root());
    Shell.Result verify =
        Shell.run(
            work,
            "openssl verify -CAfile globalsign-root.cert.pem -untrusted cacerts-chain.pem IDevID.cert.pem");
    assertThat(verify.exitCode()).as(verify.describe()).isZero();
    assertThat(verify.stdout()).as(verify.describe()).contains("IDevID.cert.pem: OK");

    // The same verify fails against a root that is not ours: the check above means something.
    Pkix.writePem(
        work.resolve("other-root.pem"), Pkix.strangerCa("Not The Quickstart Root").certificate());
    Shell.Result foreign =
        Shell.run(
            work,
            "openssl verify -CAfile other-root.pem -untrusted cacerts-chain.pem IDevID.cert.pem");
    assertThat(foreign.exitCode()).as(foreign.describe()).isNotZero();

    // The server recorded what it handed out, with who asked.
    CertificateRecord record =
        server
            .server()
            .certificates()
            .findBySerial(idevid.getSerialNumber())
            .orElseThrow(
                () ->
                    new AssertionError(
                        "IDevID serial "
                            + idevid.getSerialNumber().toString(16)
                            + " is not in the store"));
    assertThat(record.sha256()).isEqualTo(Thumbprints.sha256(idevid));
    assertThat(record.label()).isEqualTo("idevid");
    assertThat(record.gate()).isEqualTo("secret");
    assertThat(server.factorySecret()).startsWith(record.requester() + ".");
    assertThat(server.server().certificates().count()).isEqualTo(issuedBefore + 1);
  }
}
