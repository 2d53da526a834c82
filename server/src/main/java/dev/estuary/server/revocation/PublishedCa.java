package dev.estuary.server.revocation;

import dev.estuary.pki.IssuingCa;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.HexFormat;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.Certificate;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.crypto.digests.SHA1Digest;

/**
 * An issuing CA as revocation publishes it: its stable id (the hex SHA-1 of its public key, RFC
 * 5280 4.2.1.2 method 1, which is also how OCSP names the issuer's key), its certificate and its
 * issuer name as certificate records store it. Two CAs of one label (a rollover) have two ids.
 */
public record PublishedCa(String id, IssuingCa ca, byte[] der, String subjectName, byte[] keyId) {

  public static PublishedCa of(IssuingCa ca) {
    X509Certificate cert = ca.certificate();
    byte[] keyId = keyId(cert.getPublicKey().getEncoded());
    try {
      return new PublishedCa(
          HexFormat.of().formatHex(keyId),
          ca,
          cert.getEncoded(),
          cert.getSubjectX500Principal().getName(),
          keyId);
    } catch (CertificateEncodingException e) {
      throw new IllegalStateException("CA '" + ca.name() + "': " + e.getMessage(), e);
    }
  }

  /** SHA-1 over the subjectPublicKey BIT STRING's bits. */
  static byte[] keyId(byte[] subjectPublicKeyInfo) {
    byte[] key =
        SubjectPublicKeyInfo.getInstance(subjectPublicKeyInfo).getPublicKeyData().getBytes();
    SHA1Digest d = new SHA1Digest();
    d.update(key, 0, key.length);
    byte[] out = new byte[d.getDigestSize()];
    d.doFinal(out, 0);
    return out;
  }

  /**
   * True when the certificate {@code der}, issued under this CA's name, was signed by this CA's
   * key: its authority key identifier names this CA's key (or it has none: then the name decides).
   */
  public boolean issued(String issuerName, byte[] der) {
    if (!subjectName.equals(issuerName)) {
      return false;
    }
    try {
      Extensions ext = Certificate.getInstance(der).getTBSCertificate().getExtensions();
      AuthorityKeyIdentifier aki = ext == null ? null : AuthorityKeyIdentifier.fromExtensions(ext);
      if (aki == null || aki.getKeyIdentifierObject() == null) {
        return true;
      }
      ASN1OctetString wanted = aki.getKeyIdentifierObject();
      return Arrays.equals(wanted.getOctets(), keyId) || Arrays.equals(wanted.getOctets(), ski());
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private byte[] ski() {
    Extensions ext = Certificate.getInstance(der).getTBSCertificate().getExtensions();
    if (ext == null || ext.getExtension(Extension.subjectKeyIdentifier) == null) {
      return keyId;
    }
    return ASN1OctetString.getInstance(ext.getExtensionParsedValue(Extension.subjectKeyIdentifier))
        .getOctets();
  }
}
