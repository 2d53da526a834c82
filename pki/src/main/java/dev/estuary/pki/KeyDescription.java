package dev.estuary.pki;

import java.io.IOException;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSAPublicKey;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;

/**
 * What kind of public key a request carries: family plus curve or size, read from the
 * SubjectPublicKeyInfo without building a key.
 *
 * @param family "EC", "RSA", "Ed25519", "DSA" or the algorithm OID for anything else
 * @param curve the NIST name for EC keys ("P-256"), or the curve OID/name when not a NIST curve
 * @param bits the modulus size for RSA, the field size for EC, 255 for Ed25519
 */
public record KeyDescription(String family, String curve, int bits) {

  public static KeyDescription of(SubjectPublicKeyInfo spki) throws PkiException {
    ASN1ObjectIdentifier alg = spki.getAlgorithm().getAlgorithm();
    try {
      if (alg.equals(X9ObjectIdentifiers.id_ecPublicKey)) {
        if (spki.getAlgorithm().getParameters() == null) {
          throw new PkiException(
              "the EC key in the request has no curve parameters; EC keys must name their curve (e.g. P-256, OID 1.2.840.10045.3.1.7)");
        }
        ASN1Primitive params = spki.getAlgorithm().getParameters().toASN1Primitive();
        if (!(params instanceof ASN1ObjectIdentifier curveOid)) {
          throw new PkiException(
              "EC keys must use a named curve; explicit curve parameters are not accepted");
        }
        String nist = nistName(curveOid);
        var spec = ECNamedCurveTable.getByOID(curveOid);
        int bits = spec == null ? 0 : spec.getCurve().getFieldSize();
        return new KeyDescription("EC", nist != null ? nist : curveName(curveOid), bits);
      }
      if (alg.equals(PKCSObjectIdentifiers.rsaEncryption)) {
        RSAPublicKey rsa = RSAPublicKey.getInstance(spki.parsePublicKey());
        return new KeyDescription("RSA", "", rsa.getModulus().bitLength());
      }
      if (alg.equals(EdECObjectIdentifiers.id_Ed25519)) {
        return new KeyDescription("Ed25519", "", 255);
      }
      if (alg.equals(X9ObjectIdentifiers.id_dsa)) {
        return new KeyDescription("DSA", "", 0); // never accepted: its size is not even read
      }
      return new KeyDescription(alg.getId(), "", 0);
    } catch (IOException | RuntimeException e) {
      // Not e.getMessage(): a runtime exception's text is an internal detail, not a reason.
      throw new PkiException(
          "the " + alg.getId() + " public key in the request is malformed and cannot be read", e);
    }
  }

  private static String nistName(ASN1ObjectIdentifier oid) {
    String id = oid.getId();
    return switch (id) {
      case "1.2.840.10045.3.1.1" -> "P-192";
      case "1.3.132.0.33" -> "P-224";
      case "1.2.840.10045.3.1.7" -> "P-256";
      case "1.3.132.0.34" -> "P-384";
      case "1.3.132.0.35" -> "P-521";
      default -> null;
    };
  }

  private static String curveName(ASN1ObjectIdentifier oid) {
    String name = ECNamedCurveTable.getName(oid);
    return name != null ? name : oid.getId();
  }

  /** "EC P-256", "RSA 2048", "Ed25519". */
  @Override
  public String toString() {
    return switch (family) {
      case "EC" -> "EC " + curve;
      case "RSA" -> "RSA " + bits;
      default -> family;
    };
  }
}
