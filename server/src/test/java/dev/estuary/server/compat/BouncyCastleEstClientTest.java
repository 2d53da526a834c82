package dev.estuary.server.compat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.estuary.pki.Bc;
import dev.estuary.server.testing.QuickstartServer;
import dev.estuary.server.testing.TestPki;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.est.CACertsResponse;
import org.bouncycastle.est.CSRRequestResponse;
import org.bouncycastle.est.ESTService;
import org.bouncycastle.est.EnrollmentResponse;
import org.bouncycastle.est.HttpAuth;
import org.bouncycastle.est.jcajce.JcaJceUtils;
import org.bouncycastle.est.jcajce.JsseESTServiceBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.util.Store;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bouncy Castle's EST client ({@code org.bouncycastle.est}), used as an application would use it,
 * against a real quickstart server: cacerts, simpleenroll with Basic (BC sends nothing first and
 * answers the 401 challenge) and over mTLS, simplereenroll, csrattrs with and without attributes.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BouncyCastleEstClientTest {
  private static final ASN1ObjectIdentifier ECDSA_WITH_SHA256 =
      new ASN1ObjectIdentifier("1.2.840.10045.4.3.2");

  @TempDir static Path dir;
  static QuickstartServer server;
  static X509Certificate root;

  @BeforeAll
  static void start() throws Exception {
    Bc.provider(); // registers the BC provider, as BC's EST client expects
    server = QuickstartServer.start(dir);
    root = server.root();
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  private static JsseESTServiceBuilder builder(KeyManagerFactory kmf) {
    JsseESTServiceBuilder b =
        new JsseESTServiceBuilder(
            "localhost:" + server.estPort(),
            JcaJceUtils.getCertPathTrustManager(Set.of(new TrustAnchor(root, null)), null));
    if (kmf != null) {
      b.withKeyManagers(kmf.getKeyManagers());
    }
    b.withTimeout(10_000);
    return b;
  }

  private static ESTService est(String label, KeyManagerFactory kmf) {
    JsseESTServiceBuilder b = builder(kmf);
    return label == null ? b.build() : b.withLabel(label).build();
  }

  private static KeyManagerFactory keyManagers(Wire.Enrolled identity) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry(
        "client",
        identity.key().getPrivate(),
        "x".toCharArray(),
        identity.chain().toArray(Certificate[]::new));
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, "x".toCharArray());
    return kmf;
  }

  private static PKCS10CertificationRequest csr(KeyPair key, String subject) throws Exception {
    return new PKCS10CertificationRequest(TestPki.csr(key, subject));
  }

  private static List<X509Certificate> certs(Store<X509CertificateHolder> store) throws Exception {
    JcaX509CertificateConverter conv = new JcaX509CertificateConverter();
    List<X509Certificate> out = new ArrayList<>();
    for (X509CertificateHolder h : store.getMatches(null)) {
      out.add(conv.getCertificate(h));
    }
    return out;
  }

  /**
   * The certificate for {@code key}, the only one of the enrollment answer (RFC 7030 §4.2.3), then
   * the label's CAs from Bouncy Castle's getCACerts, as a BC client application builds its chain.
   */
  private static List<X509Certificate> issuedChain(EnrollmentResponse r, KeyPair key, String label)
      throws Exception {
    assertThat(r.isCompleted()).isTrue();
    List<X509Certificate> all = certs(r.getStore());
    assertThat(all).as("an enroll answer holds only the issued certificate").hasSize(1);
    X509Certificate leaf = all.getFirst();
    assertThat(leaf.getPublicKey())
        .as("the certificate is for the CSR's key")
        .isEqualTo(key.getPublic());
    List<X509Certificate> chain = new ArrayList<>();
    chain.add(leaf);
    certs(est(label, null).getCACerts().getCertificateStore()).stream()
        .filter(c -> !c.equals(root))
        .toList()
        .reversed()
        .forEach(chain::add);
    return chain;
  }

  @Test
  void cacertsAtTheUnlabeledPathAndPerLabel() throws Exception {
    CACertsResponse r = est(null, null).getCACerts();
    assertThat(r.hasCertificates()).isTrue();
    List<X509Certificate> cas = certs(r.getCertificateStore());
    assertThat(cas).contains(root);
    assertThat(cas).extracting(Wire::cn).contains("Estuary Quickstart idevid CA");

    List<X509Certificate> deviceCas =
        certs(est("device-id", null).getCACerts().getCertificateStore());
    assertThat(deviceCas).contains(root);
    assertThat(deviceCas).extracting(Wire::cn).contains("Estuary Quickstart device-id CA");
  }

  @Test
  void simpleEnrollWithBasicAtTheDefaultAndTheIdevidLabel() throws Exception {
    for (String label : new String[] {null, "idevid"}) {
      KeyPair key = TestPki.key("ec-p256");
      String cn = "bc-basic-" + (label == null ? "default" : label);
      EnrollmentResponse r =
          est(label, null)
              .simpleEnroll(
                  false,
                  csr(key, "CN=" + cn),
                  new HttpAuth(server.basicUsername(), server.basicPassword().toCharArray()));
      List<X509Certificate> chain = issuedChain(r, key, label);
      assertThat(Wire.cn(chain.getFirst())).isEqualTo(cn);
      assertThat(Wire.cn(chain.get(1))).isEqualTo("Estuary Quickstart idevid CA");
      Wire.assertChainsTo(chain, root);
    }
  }

  /** BC checks the challenge's realm when the application names one; it must parse ours. */
  @Test
  void simpleEnrollWithBasicAndAnExpectedRealm() throws Exception {
    KeyPair key = TestPki.key("ec-p256");
    EnrollmentResponse r =
        est("idevid", null)
            .simpleEnroll(
                false,
                csr(key, "CN=bc-basic-realm"),
                new HttpAuth(
                    "estuary idevid",
                    server.basicUsername(),
                    server.basicPassword().toCharArray()));
    assertThat(Wire.cn(issuedChain(r, key, "idevid").getFirst())).isEqualTo("bc-basic-realm");
  }

  @Test
  void simpleEnrollOverMtlsWithAnIdevidThenReenrollKeepsTheSubject() throws Exception {
    Wire.Enrolled idevid = Wire.idevid(server, "bc-device-1");
    KeyPair key = TestPki.key("ec-p256");
    EnrollmentResponse r =
        est("device-id", keyManagers(idevid)).simpleEnroll(false, csr(key, "CN=bc-device-1"), null);
    List<X509Certificate> deviceId = issuedChain(r, key, "device-id");
    assertThat(Wire.cn(deviceId.getFirst())).isEqualTo("bc-device-1");
    assertThat(deviceId.getFirst().getIssuerX500Principal())
        .isEqualTo(deviceId.get(1).getSubjectX500Principal());
    assertThat(Wire.cn(deviceId.get(1))).isEqualTo("Estuary Quickstart device-id CA");
    Wire.assertChainsTo(deviceId, root);

    // simplereenroll over mTLS with the device-id certificate; the CSR asks for another subject.
    KeyPair next = TestPki.key("ec-p256");
    EnrollmentResponse rr =
        est("device-id", keyManagers(new Wire.Enrolled(key, deviceId)))
            .simpleEnroll(true, csr(next, "CN=someone-else"), null);
    List<X509Certificate> renewed = issuedChain(rr, next, "device-id");
    assertThat(renewed.getFirst().getSubjectX500Principal())
        .isEqualTo(deviceId.getFirst().getSubjectX500Principal());
    assertThat(renewed.getFirst().getSerialNumber())
        .isNotEqualTo(deviceId.getFirst().getSerialNumber());
    Wire.assertChainsTo(renewed, root);
  }

  @Test
  void csrAttributesOnIdevidAnnounceEcdsaWithSha256() throws Exception {
    CSRRequestResponse r = est("idevid", null).getCSRAttributes();
    assertThat(r.hasAttributesResponse()).isTrue();
    assertThat(r.getAttributesResponse().getRequirements()).contains(ECDSA_WITH_SHA256);

    CSRRequestResponse unlabeled = est(null, null).getCSRAttributes();
    assertThat(unlabeled.hasAttributesResponse()).isTrue();
    assertThat(unlabeled.getAttributesResponse().getRequirements()).contains(ECDSA_WITH_SHA256);
  }

  @Test
  void csrAttributesOnDeviceIdAreNone() throws Exception {
    CSRRequestResponse r = est("device-id", null).getCSRAttributes();
    assertThat(r.hasAttributesResponse()).isFalse();
  }
}
