package dev.estuary.server.issuance;

import dev.estuary.pki.Certificates;
import dev.estuary.pki.CertsOnlyPkcs7;
import dev.estuary.pki.SignedCertificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * What an enrollment hands out: the new certificate (committed to the store) and the issuing CA
 * chain without the root. EST answers with the certificate alone (RFC 7030 §4.2.3; clients take the
 * chain from cacerts); DPS's issuedCertificateChain carries the leaf and the chain.
 *
 * @param certificate the certificate just signed and recorded
 * @param caChain its issuer first, up to but without the root
 */
public record Issued(SignedCertificate certificate, List<X509Certificate> caChain) {

  public Issued {
    caChain = List.copyOf(caChain);
  }

  /** The DER of the certificate, then of each CA certificate, leaf first. */
  public List<byte[]> derChain() {
    List<byte[]> ders = new ArrayList<>(caChain.size() + 1);
    ders.add(certificate.der());
    for (X509Certificate c : caChain) {
      ders.add(Certificates.der(c));
    }
    return ders;
  }

  /**
   * The certs-only PKCS#7 (DER) holding exactly one certificate, the one issued: the body of a
   * simpleenroll or simplereenroll answer, "containing only the certificate that was issued" (RFC
   * 7030 §4.2.3). GlobalSign's EST client refuses an answer with more than one.
   */
  public byte[] pkcs7() {
    return CertsOnlyPkcs7.encode(certificate, List.of());
  }
}
