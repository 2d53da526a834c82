package dev.estuary.server.it;

import dev.estuary.pki.CertificateProfile;
import dev.estuary.pki.IssueOrder;
import dev.estuary.pki.IssuingCa;
import dev.estuary.pki.KeyPairs;
import dev.estuary.pki.Pem;
import dev.estuary.pki.PkiException;
import dev.estuary.pki.Serials;
import dev.estuary.server.ca.CaKeys;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/** Certificate helpers for the integration tests: reading, and signing certificates by hand. */
final class Pkix {
  static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
  static final String BASIC_CONSTRAINTS = "2.5.29.19";
  static final String KEY_USAGE = "2.5.29.15";
  static final SecureRandom RANDOM = new SecureRandom();

  private Pkix() {}

  /** The subject's (first) commonName. */
  static String cn(X509Certificate cert) {
    try {
      for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) {
          return rdn.getValue().toString();
        }
      }
      return "";
    } catch (InvalidNameException e) {
      throw new IllegalStateException(e);
    }
  }

  static X509Certificate pemCertificate(Path file) throws Exception {
    return Pem.certificates(Files.readString(file)).getFirst();
  }

  static List<X509Certificate> pemCertificates(Path file) throws Exception {
    return Pem.certificates(Files.readString(file));
  }

  /** Writes PEM of certificates / keys to a file. */
  static Path writePem(Path file, Object... objects) throws Exception {
    Files.writeString(file, Pem.encode(objects), StandardCharsets.US_ASCII);
    return file;
  }

  /** One of the server's CAs with its private key, read from the quickstart keystore. */
  static IssuingCa serverCa(Path dataDir, String alias) throws Exception {
    char[] pass = Files.readString(dataDir.resolve("keys/keystore.pass")).strip().toCharArray();
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(dataDir.resolve("keys/ca-keys.p12"))) {
      ks.load(in, pass);
    }
    return CaKeys.of(ks, pass).issuingCa(alias);
  }

  /** A CA the server has never seen. */
  static IssuingCa strangerCa(String cn) {
    return IssuingCa.createRoot(
        "stranger",
        new X500Name("CN=" + cn),
        KeyPairs.generate("ec-p256", RANDOM),
        Duration.ofDays(365),
        Instant.now(),
        new Serials(RANDOM));
  }

  /** A TLS client certificate (EKU clientAuth) for {@code key}, signed by {@code ca}. */
  static X509Certificate clientCertificate(
      IssuingCa ca, KeyPair key, String cn, Instant notBefore, Instant notAfter) {
    return ca.sign(
        new IssueOrder(
            new X500Name("CN=" + cn),
            null,
            SubjectPublicKeyInfo.getInstance(key.getPublic().getEncoded()),
            CertificateProfile.clientIdentity(Duration.between(notBefore, notAfter)),
            new Serials(RANDOM).next(),
            notBefore,
            notAfter));
  }

  static X509Certificate decodeOne(byte[] der) throws PkiException {
    try {
      return (X509Certificate)
          CertificateFactory.getInstance("X.509")
              .generateCertificate(new ByteArrayInputStream(der));
    } catch (CertificateException e) {
      throw new PkiException("bad certificate: " + e.getMessage(), e);
    }
  }
}
