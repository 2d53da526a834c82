package dev.estuary.pki;

import java.time.Duration;
import java.util.List;
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
 */
public record CertificateProfile(
    boolean ca, int pathLen, int keyUsage, List<KeyPurposeId> extendedKeyUsages, Duration validity) {

  public CertificateProfile {
    extendedKeyUsages = List.copyOf(extendedKeyUsages);
    if (validity.isNegative() || validity.isZero()) {
      throw new IllegalArgumentException("validity must be positive, was " + validity);
    }
  }

  /** A TLS/EST client identity: digitalSignature, EKU clientAuth. */
  public static CertificateProfile clientIdentity(Duration validity) {
    return new CertificateProfile(
        false, -1, KeyUsage.digitalSignature, List.of(KeyPurposeId.id_kp_clientAuth), validity);
  }

  /** An Azure IoT Edge CA: CA:TRUE pathlen 0, digitalSignature + keyCertSign + cRLSign. */
  public static CertificateProfile edgeCa(Duration validity) {
    return new CertificateProfile(
        true, 0, KeyUsage.digitalSignature | KeyUsage.keyCertSign | KeyUsage.cRLSign, List.of(), validity);
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
    return new CertificateProfile(true, pathLen, KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature, List.of(), validity);
  }
}
