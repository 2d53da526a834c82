package dev.estuary.pki;

import java.math.BigInteger;
import java.time.Instant;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/**
 * Everything the signer needs and nothing it must decide: the policy made every choice.
 *
 * @param subjectAltNames SANs to include, or null for none
 */
public record IssueOrder(
    X500Name subject,
    GeneralNames subjectAltNames,
    SubjectPublicKeyInfo publicKey,
    CertificateProfile profile,
    BigInteger serial,
    Instant notBefore,
    Instant notAfter) {

  public IssueOrder {
    if (serial.signum() <= 0) {
      throw new IllegalArgumentException("serial numbers must be positive");
    }
    if (!notAfter.isAfter(notBefore)) {
      throw new IllegalArgumentException(
          "notAfter " + notAfter + " is not after notBefore " + notBefore);
    }
  }
}
