package dev.estuary.agent.testing;

import dev.estuary.pki.CertificateProfile;
import dev.estuary.pki.IssueOrder;
import dev.estuary.pki.IssuingCa;
import dev.estuary.pki.KeyPairs;
import dev.estuary.pki.Serials;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/**
 * A software root CA for tests: issues client identity, Edge CA and loopback TLS server
 * certificates for any public key, valid for {@link #VALIDITY} from now unless a test asks for
 * another window (an expired certificate, say).
 */
public final class TestCa {
  /** How long certificates live unless a test says otherwise. */
  public static final Duration VALIDITY = Duration.ofDays(30);

  private final Serials serials = new Serials(new SecureRandom());
  private final IssuingCa root;

  /** A root named {@code CN=Estuary Test Root}. */
  public TestCa() {
    this("Estuary Test Root");
  }

  /** A root with the common name {@code name}: two roots with different names are unrelated. */
  public TestCa(String name) {
    root =
        IssuingCa.createRoot(
            "test-root", new X500Name("CN=" + name), newKey(), VALIDITY, Instant.now(), serials);
  }

  private TestCa(IssuingCa ca) {
    root = ca;
  }

  /** A root valid for {@code validity} (a rogue's 100-year root, say). */
  public static TestCa root(String name, Duration validity) {
    return new TestCa(
        IssuingCa.createRoot(
            "test-root",
            new X500Name("CN=" + name),
            newKey(),
            validity,
            Instant.now(),
            new Serials(new SecureRandom())));
  }

  /**
   * An issuing CA below this one (pathlen {@code pathLen}): its {@link #certificate()} is the
   * intermediate, {@link #chain()} the intermediate and the CAs above it.
   */
  public TestCa subordinate(String name, int pathLen) {
    return new TestCa(
        root.createSubordinate(
            "test-sub",
            new X500Name("CN=" + name),
            newKey(),
            pathLen,
            VALIDITY,
            Instant.now(),
            serials));
  }

  /** This CA's certificate and those above it, this one first. */
  public List<X509Certificate> chain() {
    return root.chain();
  }

  /** Any certificate this CA signs: for answers a good server would never give. */
  public X509Certificate issue(
      String commonName,
      GeneralNames sans,
      PublicKey key,
      CertificateProfile profile,
      Instant notBefore,
      Instant notAfter) {
    return issue(commonName, sans, spki(key), profile, notBefore, notAfter);
  }

  /** Any certificate this CA signs, for a key as a CSR carries it. */
  public X509Certificate issue(
      String commonName,
      GeneralNames sans,
      SubjectPublicKeyInfo key,
      CertificateProfile profile,
      Instant notBefore,
      Instant notAfter) {
    return issue(new X500Name("CN=" + commonName), sans, key, profile, notBefore, notAfter);
  }

  /** A fresh EC P-256 key pair. */
  public static KeyPair newKey() {
    return KeyPairs.generate("ec-p256", new SecureRandom());
  }

  /** The root certificate. */
  public X509Certificate certificate() {
    return root.certificate();
  }

  /** A client identity certificate (EKU clientAuth) for {@code key}, valid from now. */
  public X509Certificate client(String commonName, PublicKey key) {
    return client(commonName, spki(key));
  }

  /** A client identity certificate (EKU clientAuth) for {@code key}, valid from now. */
  public X509Certificate client(String commonName, SubjectPublicKeyInfo key) {
    return client(commonName, key, now(), now().plus(VALIDITY));
  }

  /**
   * A client identity certificate for {@code key}, valid from {@code notBefore} to {@code
   * notAfter}.
   */
  public X509Certificate client(
      String commonName, SubjectPublicKeyInfo key, Instant notBefore, Instant notAfter) {
    return issue(
        new X500Name("CN=" + commonName),
        null,
        key,
        CertificateProfile.clientIdentity(VALIDITY),
        notBefore,
        notAfter);
  }

  /** An Edge CA certificate (CA:TRUE, pathlen 0) for {@code key}, valid from now. */
  public X509Certificate edgeCa(String commonName, SubjectPublicKeyInfo key) {
    return issue(
        new X500Name("CN=" + commonName),
        null,
        key,
        CertificateProfile.edgeCa(VALIDITY),
        now(),
        now().plus(VALIDITY));
  }

  /** A TLS server certificate for 127.0.0.1, with its software key. */
  public ServerIdentity server() {
    return server(new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
  }

  /**
   * A TLS server certificate for {@code names} only (a DNS name elsewhere makes a hostname
   * mismatch).
   */
  public ServerIdentity server(GeneralName... names) {
    KeyPair pair = newKey();
    X509Certificate cert =
        issue(
            new X500Name("CN=test server"),
            new GeneralNames(names),
            spki(pair.getPublic()),
            CertificateProfile.tlsServer(VALIDITY),
            now(),
            now().plus(VALIDITY));
    return new ServerIdentity(pair, cert, certificate());
  }

  /**
   * A TLS server's key and certificate.
   *
   * @param root the root that issued {@code certificate}, sent along as its chain
   */
  public record ServerIdentity(KeyPair pair, X509Certificate certificate, X509Certificate root) {

    /**
     * A server-side TLS context presenting this identity and judging clients with {@code trust}.
     */
    public SSLContext context(TrustManager[] trust) throws GeneralSecurityException, IOException {
      char[] password = "test".toCharArray();
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      keys.setKeyEntry(
          "server", pair.getPrivate(), password, new Certificate[] {certificate, root});
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, password);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf.getKeyManagers(), trust, null);
      return ctx;
    }
  }

  /** The key as certificates carry it. */
  public static SubjectPublicKeyInfo spki(PublicKey key) {
    return SubjectPublicKeyInfo.getInstance(key.getEncoded());
  }

  private static Instant now() {
    return Instant.now().minus(IssuingCa.BACKDATE);
  }

  private X509Certificate issue(
      X500Name subject,
      GeneralNames sans,
      SubjectPublicKeyInfo key,
      CertificateProfile profile,
      Instant notBefore,
      Instant notAfter) {
    return root.sign(
        new IssueOrder(subject, sans, key, profile, serials.next(), notBefore, notAfter));
  }
}
