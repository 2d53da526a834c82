package dev.estuary.pki;

import java.time.Duration;
import java.util.List;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;

/**
 * What a certificate of one kind looks like: CA or not, key usages, extended key usages and how
 * long it lives. A label carries one profile; the signer builds exactly what the profile says.
 *
 * @param ca true for a CA certificate (basicConstraints CA:TRUE with {@code pathLen})
 * @param pathLen path length constraint for CA certificates; -1 for none
 * @param keyUsage bits of {@link KeyUsage}
 * @param extendedKeyUsages EKUs, empty for none
 * @param excludedNames for a CA certificate, the names no certificate beneath it may carry (RFC
 *     5280 name constraints, excluded subtrees: dNSName, iPAddress with its mask); empty for none.
 *     A device-held CA gets the server's own names here, so that its key cannot mint a certificate
 *     that passes for the server (see docs/security.md).
 * @param publication where relying parties learn of revocation and find the issuer (CRL
 *     distribution point, AIA OCSP and caIssuers URLs); null for none
 */
public record CertificateProfile(
    boolean ca,
    int pathLen,
    int keyUsage,
    List<KeyPurposeId> extendedKeyUsages,
    Duration validity,
    List<GeneralName> excludedNames,
    Publication publication) {

  /**
   * The URLs an issued certificate carries: RFC 5280 cRLDistributionPoints (4.2.1.13) and
   * authorityInfoAccess (4.2.2.1). Each may be null (that one is left out).
   */
  public record Publication(String crl, String ocsp, String caIssuers) {}

  /** A profile without publication URLs. */
  public CertificateProfile(
      boolean ca,
      int pathLen,
      int keyUsage,
      List<KeyPurposeId> extendedKeyUsages,
      Duration validity,
      List<GeneralName> excludedNames) {
    this(ca, pathLen, keyUsage, extendedKeyUsages, validity, excludedNames, null);
  }

  /** This profile with {@code urls} in every certificate it makes (null: none). */
  public CertificateProfile publishing(Publication urls) {
    return new CertificateProfile(
        ca, pathLen, keyUsage, extendedKeyUsages, validity, excludedNames, urls);
  }

  public CertificateProfile {
    extendedKeyUsages = List.copyOf(extendedKeyUsages);
    excludedNames = List.copyOf(excludedNames);
    if (validity.isNegative() || validity.isZero()) {
      throw new IllegalArgumentException("validity must be positive, was " + validity);
    }
    if (!ca && !excludedNames.isEmpty()) {
      throw new IllegalArgumentException("name constraints belong in CA certificates only");
    }
  }

  /** A profile without name constraints. */
  public CertificateProfile(
      boolean ca,
      int pathLen,
      int keyUsage,
      List<KeyPurposeId> extendedKeyUsages,
      Duration validity) {
    this(ca, pathLen, keyUsage, extendedKeyUsages, validity, List.of());
  }

  /**
   * This CA profile with {@code names} excluded beneath it (see {@link NameConstraintsOf} to turn a
   * TLS certificate's names into exclusions).
   */
  public CertificateProfile excluding(List<GeneralName> names) {
    return new CertificateProfile(
        ca, pathLen, keyUsage, extendedKeyUsages, validity, names, publication);
  }

  /** A TLS/EST client identity: digitalSignature, EKU clientAuth. */
  public static CertificateProfile clientIdentity(Duration validity) {
    return new CertificateProfile(
        false, -1, KeyUsage.digitalSignature, List.of(KeyPurposeId.id_kp_clientAuth), validity);
  }

  /** An Azure IoT Edge CA: CA:TRUE pathlen 0, digitalSignature + keyCertSign + cRLSign. */
  public static CertificateProfile edgeCa(Duration validity) {
    return new CertificateProfile(
        true,
        0,
        KeyUsage.digitalSignature | KeyUsage.keyCertSign | KeyUsage.cRLSign,
        List.of(),
        validity);
  }

  /** A TLS server: digitalSignature + keyEncipherment, EKU serverAuth. */
  public static CertificateProfile tlsServer(Duration validity) {
    return new CertificateProfile(
        false,
        -1,
        KeyUsage.digitalSignature | KeyUsage.keyEncipherment,
        List.of(KeyPurposeId.id_kp_serverAuth),
        validity);
  }

  /** An issuing or root CA of this server's hierarchy. */
  public static CertificateProfile authority(int pathLen, Duration validity) {
    return new CertificateProfile(
        true,
        pathLen,
        KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature,
        List.of(),
        validity);
  }
}
