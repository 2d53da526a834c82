package dev.estuary.pki;

import java.io.IOException;
import java.math.BigInteger;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Objects;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;

/**
 * A certificate {@link IssuingCa#issue} just made: its DER and the fields it was built from, so
 * that a server can record and answer without parsing the DER it has just encoded. {@link #x509()}
 * converts it (once) for whoever needs a JCA certificate: a keystore, a TLS chain, a test.
 *
 * <p>Every field is read from the signed structure itself, never from the order: {@link
 * #subjectName()} and {@link #issuerName()} are exactly what {@code
 * x509().getSubjectX500Principal().getName()} and {@code getIssuerX500Principal().getName()} return
 * (RFC 2253, from the same name DER), the validity is as encoded (whole seconds).
 */
public final class SignedCertificate {
  private static final JcaX509CertificateConverter CONVERTER = new JcaX509CertificateConverter();

  private final X509CertificateHolder holder;
  private final byte[] der;
  private volatile X509Certificate x509;

  SignedCertificate(X509CertificateHolder holder) throws IOException {
    this.holder = Objects.requireNonNull(holder, "holder");
    this.der = holder.getEncoded();
  }

  /** The certificate's DER encoding (a copy). */
  public byte[] der() {
    return der.clone();
  }

  /** The DER without a copy, for encoders in this package that only read it. */
  byte[] derUnsafe() {
    return der;
  }

  public BigInteger serial() {
    return holder.getSerialNumber();
  }

  public X500Name subject() {
    return holder.getSubject();
  }

  public X500Name issuer() {
    return holder.getIssuer();
  }

  /** The subject DN in RFC 2253 form, as {@link X500Principal#getName()} gives it. */
  public String subjectName() {
    return rfc2253(holder.getSubject());
  }

  /** The issuer DN in RFC 2253 form, as {@link X500Principal#getName()} gives it. */
  public String issuerName() {
    return rfc2253(holder.getIssuer());
  }

  /** notBefore as encoded (whole seconds). */
  public Instant notBefore() {
    return CertificateTime.instant(holder.toASN1Structure().getStartDate());
  }

  /** notAfter as encoded (whole seconds). */
  public Instant notAfter() {
    return CertificateTime.instant(holder.toASN1Structure().getEndDate());
  }

  /** Lower-case hex SHA-256 of the DER, as {@link Thumbprints#sha256(X509Certificate)} gives it. */
  public String sha256() {
    return Thumbprints.sha256(der);
  }

  /**
   * The certificate as a JCA {@link X509Certificate} (Bouncy Castle's, as {@code
   * JcaX509CertificateConverter} makes it), converted on first use.
   */
  public X509Certificate x509() {
    X509Certificate c = x509;
    if (c == null) {
      try {
        c = CONVERTER.getCertificate(holder);
      } catch (CertificateException e) {
        throw new IllegalStateException(
            "a certificate just signed cannot be converted: " + e.getMessage(), e);
      }
      x509 = c;
    }
    return c;
  }

  private static String rfc2253(X500Name name) {
    try {
      return new X500Principal(name.getEncoded(ASN1Encoding.DER)).getName();
    } catch (IOException e) {
      throw new IllegalStateException("in-memory ASN.1 encoding failed", e);
    }
  }

  @Override
  public String toString() {
    return "SignedCertificate[serial=" + serial().toString(16) + ", subject=" + subjectName() + "]";
  }
}
