package dev.estuary.server.testing;

import dev.estuary.pki.Certificates;
import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.x509.Certificate;

/**
 * ECDSA signature malleability, as an attacker uses it: the signature (r, s) of a certificate
 * rewritten as (r, n - s) still verifies under the issuer's key, over the same TBS, yet the DER
 * (and its SHA-256) differ.
 */
public final class Reencoded {
  private Reencoded() {}

  /**
   * {@code cert} with its ECDSA signature (r, s) rewritten as (r, n - s); {@code issuerKey} gives
   * n.
   */
  public static X509Certificate signature(X509Certificate cert, PublicKey issuerKey) {
    try {
      BigInteger n = ((ECPublicKey) issuerKey).getParams().getOrder();
      Certificate c = Certificate.getInstance(cert.getEncoded());
      ASN1Sequence sig = ASN1Sequence.getInstance(c.getSignature().getOctets());
      BigInteger r = ASN1Integer.getInstance(sig.getObjectAt(0)).getValue();
      BigInteger s = ASN1Integer.getInstance(sig.getObjectAt(1)).getValue();
      ASN1EncodableVector rs = new ASN1EncodableVector();
      rs.add(new ASN1Integer(r));
      rs.add(new ASN1Integer(n.subtract(s)));
      ASN1EncodableVector out = new ASN1EncodableVector();
      out.add(c.getTBSCertificate());
      out.add(c.getSignatureAlgorithm());
      out.add(new DERBitString(new DERSequence(rs).getEncoded(ASN1Encoding.DER)));
      X509Certificate copy = Certificates.decode(new DERSequence(out).getEncoded(ASN1Encoding.DER));
      copy.verify(issuerKey); // still a valid signature
      return copy;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot re-encode the signature: " + e.getMessage(), e);
    }
  }
}
