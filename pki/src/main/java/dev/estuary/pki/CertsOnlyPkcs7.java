package dev.estuary.pki;

import java.io.IOException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DLSequence;
import org.bouncycastle.asn1.DLSet;
import org.bouncycastle.asn1.DLTaggedObject;
import org.bouncycastle.asn1.cms.CMSObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSSignedData;

/**
 * The "certs-only" CMS SignedData of RFC 7030 §4.1.3 / §4.2.3: no signers, no content, just
 * certificates, in the order given (leaf first for an enrollment, root first for cacerts).
 */
public final class CertsOnlyPkcs7 {
  private CertsOnlyPkcs7() {}

  /** DER of a ContentInfo(SignedData) carrying {@code certificates} in that order. */
  public static byte[] encode(List<X509Certificate> certificates) {
    ASN1EncodableVector certs = new ASN1EncodableVector();
    try {
      for (X509Certificate c : certificates) {
        certs.add(org.bouncycastle.asn1.x509.Certificate.getInstance(c.getEncoded()));
      }
    } catch (CertificateEncodingException e) {
      throw new IllegalArgumentException("certificate cannot be encoded", e);
    }
    // SignedData built by hand: BC's SignedData and DER tagging would re-encode the certificate
    // SET in DER, which sorts it; clients take the first certificate as the leaf (or the root).
    ASN1EncodableVector signedData = new ASN1EncodableVector();
    signedData.add(new ASN1Integer(1)); // version
    signedData.add(new DLSet()); // digestAlgorithms: none
    signedData.add(new DLSequence(CMSObjectIdentifiers.data)); // encapContentInfo without content
    signedData.add(new DLTaggedObject(false, 0, new DLSet(certs))); // [0] IMPLICIT certificates
    signedData.add(new DLSet()); // signerInfos: none
    ASN1EncodableVector contentInfo = new ASN1EncodableVector();
    contentInfo.add(CMSObjectIdentifiers.signedData);
    contentInfo.add(new DLTaggedObject(true, 0, new DLSequence(signedData)));
    try {
      return new DLSequence(contentInfo).getEncoded(ASN1Encoding.DL);
    } catch (IOException e) {
      throw new IllegalStateException("in-memory ASN.1 encoding failed", e);
    }
  }

  /** The certificates of a certs-only (or any) CMS SignedData, in their encoded order. */
  public static List<X509Certificate> decode(byte[] der) throws PkiException {
    try {
      CMSSignedData sd = new CMSSignedData(der);
      JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
      List<X509Certificate> out = new ArrayList<>();
      for (X509CertificateHolder h : sd.getCertificates().getMatches(null)) {
        out.add(converter.getCertificate(h));
      }
      return out;
    } catch (CMSException | CertificateException | RuntimeException e) {
      throw new PkiException("not a PKCS#7 certs-only structure: " + e.getMessage(), e);
    }
  }
}
