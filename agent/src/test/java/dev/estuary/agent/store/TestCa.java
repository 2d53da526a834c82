package dev.estuary.agent.store;

import dev.estuary.pki.CertificateProfile;
import dev.estuary.pki.IssueOrder;
import dev.estuary.pki.IssuingCa;
import dev.estuary.pki.KeyPairs;
import dev.estuary.pki.Serials;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/** A software root CA for the PKCS#11 tests: issues client and loopback server certificates. */
final class TestCa {
  private static final Duration VALIDITY = Duration.ofDays(30);
  private final Serials serials = new Serials(new SecureRandom());
  private final IssuingCa root;

  TestCa() {
    root = IssuingCa.createRoot("test-root", new X500Name("CN=PKCS11 Test Root"), KeyPairs.generate("ec-p256", new SecureRandom()), VALIDITY, Instant.now(), serials);
  }

  X509Certificate certificate() {
    return root.certificate();
  }

  /** A client identity certificate (EKU clientAuth) for {@code key}. */
  X509Certificate client(String commonName, PublicKey key) {
    return issue(new X500Name("CN=" + commonName), null, key, CertificateProfile.clientIdentity(VALIDITY));
  }

  /** A TLS server certificate for 127.0.0.1, with its software key. */
  ServerIdentity server() {
    KeyPair pair = KeyPairs.generate("ec-p256", new SecureRandom());
    GeneralNames loopback = new GeneralNames(new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
    return new ServerIdentity(pair, issue(new X500Name("CN=127.0.0.1"), loopback, pair.getPublic(), CertificateProfile.tlsServer(VALIDITY)));
  }

  record ServerIdentity(KeyPair pair, X509Certificate certificate) {}

  private X509Certificate issue(X500Name subject, GeneralNames sans, PublicKey key, CertificateProfile profile) {
    Instant now = Instant.now();
    return root.sign(
        new IssueOrder(subject, sans, SubjectPublicKeyInfo.getInstance(key.getEncoded()), profile, serials.next(), now.minus(IssuingCa.BACKDATE), now.plus(VALIDITY)));
  }
}
