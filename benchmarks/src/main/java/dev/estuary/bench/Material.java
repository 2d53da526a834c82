package dev.estuary.bench;

import dev.estuary.pki.Bc;
import dev.estuary.pki.CertificateProfile;
import dev.estuary.pki.EstBase64;
import dev.estuary.pki.IssueOrder;
import dev.estuary.pki.IssuingCa;
import dev.estuary.pki.KeyPairs;
import dev.estuary.pki.Serials;
import java.io.IOException;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * What the benchmarks work on, made before the clock starts: key pairs, CSRs as EST request bodies,
 * and CA hierarchies. Nothing here is measured.
 */
final class Material {
  /** Distinct CSRs (and subject keys) a benchmark rotates through. */
  static final int POOL = 256;

  /**
   * Distinct RSA keys in a pool: generating RSA-2048 keys takes up to seconds each on a loaded
   * 2-core machine, so an RSA pool reuses a few keys under distinct subjects. Verification gains
   * nothing from it: every Csr.parse builds its key object afresh from the request's bytes.
   */
  static final int RSA_KEYS = 4;

  /** The validity the server's device-identity labels grant; shorter than the CA's. */
  static final Duration LEAF_VALIDITY = Duration.ofDays(90);

  static final SecureRandom RANDOM = new SecureRandom();

  private Material() {}

  /** {@code n} subject key pairs of {@code type} (ec-p256, ec-p384, rsa-2048). */
  static KeyPair[] keys(String type, int n) {
    Bc.provider();
    KeyPair[] keys = new KeyPair[n];
    int distinct = type.startsWith("rsa-") ? Math.min(n, RSA_KEYS) : n;
    Map<Integer, KeyPair> made = new HashMap<>();
    for (int i = 0; i < n; i++) {
      keys[i] = made.computeIfAbsent(i % distinct, k -> KeyPairs.generate(type, RANDOM));
    }
    return keys;
  }

  static String deviceName(int i) {
    return String.format("device-%06d", i);
  }

  /**
   * DER of the PKCS#10 request a device sends: CN=device-N, O=Estuary Bench, asking for a dNSName
   * SAN, signed with the key's natural algorithm (SHA256withECDSA, SHA384withECDSA, SHA256withRSA).
   */
  static byte[] csr(KeyPair key, int i) {
    try {
      var b =
          new JcaPKCS10CertificationRequestBuilder(
              new X500Name("CN=" + deviceName(i) + ",O=Estuary Bench"), key.getPublic());
      GeneralNames sans =
          new GeneralNames(new GeneralName(GeneralName.dNSName, deviceName(i) + ".fleet.example"));
      b.addAttribute(
          PKCSObjectIdentifiers.pkcs_9_at_extensionRequest,
          new Extensions(
              new Extension(Extension.subjectAlternativeName, false, sans.getEncoded())));
      var signer =
          new JcaContentSignerBuilder(IssuingCa.signatureAlgorithm(key.getPublic()))
              .setProvider(Bc.provider())
              .build(key.getPrivate());
      return b.build(signer).getEncoded();
    } catch (IOException | OperatorCreationException e) {
      throw new IllegalStateException("cannot make a benchmark CSR: " + e.getMessage(), e);
    }
  }

  /**
   * {@link #POOL} EST request bodies (base64 of DER in 64-column lines, as RFC 8951 clients send).
   */
  static byte[][] csrBodies(String keyType) {
    KeyPair[] keys = keys(keyType, POOL);
    byte[][] bodies = new byte[POOL][];
    for (int i = 0; i < POOL; i++) {
      bodies[i] = EstBase64.encode(csr(keys[i], i));
    }
    return bodies;
  }

  /**
   * A root and an issuing CA below it (pathLen 0), both with {@code keyType} keys, as the
   * quickstart sets them up; returns the issuing CA (its chain ends at the root).
   */
  static IssuingCa issuingCa(String keyType) {
    Instant now = Instant.now();
    Serials serials = new Serials(RANDOM);
    IssuingCa root =
        IssuingCa.createRoot(
            "bench-root",
            new X500Name("CN=Estuary Bench Root CA"),
            KeyPairs.generate(keyType, RANDOM),
            Duration.ofDays(3650),
            now,
            serials);
    return root.createSubordinate(
        "bench-issuing",
        new X500Name("CN=Estuary Bench Issuing CA"),
        KeyPairs.generate(keyType, RANDOM),
        0,
        Duration.ofDays(1825),
        now,
        serials);
  }

  /** The order the policy makes for a device's first enrollment on a client-identity label. */
  static IssueOrder clientIdentityOrder(
      X500Name subject, GeneralNames sans, SubjectPublicKeyInfo key, Serials serials, Instant now) {
    return new IssueOrder(
        subject,
        sans,
        key,
        CertificateProfile.clientIdentity(LEAF_VALIDITY),
        serials.next(),
        now.minus(IssuingCa.BACKDATE),
        now.plus(LEAF_VALIDITY));
  }
}
