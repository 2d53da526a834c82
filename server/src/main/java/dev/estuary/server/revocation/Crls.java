package dev.estuary.server.revocation;

import java.io.IOException;
import java.math.BigInteger;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.ASN1GeneralizedTime;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;

/**
 * Builds one CA's CRL as RFC 5280 section 5 describes it: version 2, the CA's name as issuer,
 * thisUpdate and nextUpdate, the authority key identifier and the CRL number (non-critical), and
 * per entry the serial, the revocation date, the reason code (left out for "unspecified", as 5.3.1
 * asks) and the invalidity date when known. No I/O: the caller gives the number and the entries.
 */
public final class Crls {
  private Crls() {}

  /** One revoked certificate. */
  public record Entry(
      BigInteger serial, Instant revokedAt, RevocationReason reason, Instant invalidityDate) {}

  /** The DER of the CRL, signed with the CA's key. */
  public static byte[] build(
      PublishedCa ca,
      BigInteger number,
      Instant thisUpdate,
      Instant nextUpdate,
      List<Entry> entries)
      throws IOException {
    if (!nextUpdate.isAfter(thisUpdate)) {
      throw new IllegalArgumentException("nextUpdate must be after thisUpdate");
    }
    X509Certificate cert = ca.ca().certificate();
    X509v2CRLBuilder b =
        new X509v2CRLBuilder(
            X500Name.getInstance(cert.getSubjectX500Principal().getEncoded()),
            Date.from(thisUpdate));
    b.setNextUpdate(Date.from(nextUpdate));
    for (Entry e : entries) {
      ExtensionsGenerator ext = new ExtensionsGenerator();
      if (e.reason() != RevocationReason.UNSPECIFIED) {
        ext.addExtension(Extension.reasonCode, false, CRLReason.lookup(e.reason().code()));
      }
      if (e.invalidityDate() != null) {
        ext.addExtension(
            Extension.invalidityDate,
            false,
            new ASN1GeneralizedTime(Date.from(e.invalidityDate())));
      }
      b.addCRLEntry(e.serial(), Date.from(e.revokedAt()), ext.isEmpty() ? null : ext.generate());
    }
    try {
      b.addExtension(
          Extension.authorityKeyIdentifier,
          false,
          new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(cert));
    } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
      throw new IOException("the CA certificate cannot be read: " + e.getMessage(), e);
    }
    b.addExtension(Extension.cRLNumber, false, new ASN1Integer(number));
    return b.build(ca.ca().contentSigner()).getEncoded();
  }
}
