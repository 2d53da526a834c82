package dev.estuary.server.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.security.SecureRandom;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1Object;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERSet;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.CertificationRequest;
import org.bouncycastle.asn1.pkcs.CertificationRequestInfo;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSAPublicKey;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.DSAParameter;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;

/**
 * The hostile requests of issue 10, point 3, built from random numbers (no key is generated: a real
 * RSA-16384 key takes minutes): each is well-formed DER whose signature would cost seconds of CPU
 * to verify, which is why the key must be refused before it is.
 */
public final class HostileCsrs {
  private static final SecureRandom RANDOM = new SecureRandom();

  private HostileCsrs() {}

  /** RSA with a 16384-bit modulus (odd, no small factors) and a 16384-bit public exponent. */
  public static byte[] rsa16384(String cn) {
    BigInteger n = oddWithoutSmallFactors(16384);
    BigInteger e = new BigInteger(16384, RANDOM).setBit(16383).setBit(0);
    SubjectPublicKeyInfo spki =
        spki(
            new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption, DERNull.INSTANCE),
            new RSAPublicKey(n, e));
    return request(
        cn,
        spki,
        new AlgorithmIdentifier(PKCSObjectIdentifiers.sha256WithRSAEncryption, DERNull.INSTANCE),
        randomBytes(2048));
  }

  /** DSA with a 16384-bit p, a 256-bit q and a 16384-bit g and y. */
  public static byte[] dsa16384(String cn) {
    BigInteger p = oddWithoutSmallFactors(16384);
    BigInteger q = oddWithoutSmallFactors(256);
    BigInteger g = new BigInteger(16383, RANDOM);
    BigInteger y = new BigInteger(16383, RANDOM);
    SubjectPublicKeyInfo spki =
        spki(
            new AlgorithmIdentifier(X9ObjectIdentifiers.id_dsa, new DSAParameter(p, q, g)),
            new ASN1Integer(y));
    byte[] signature =
        encode(
            new DERSequence(
                new ASN1Encodable[] {
                  new ASN1Integer(new BigInteger(255, RANDOM)),
                  new ASN1Integer(new BigInteger(255, RANDOM))
                }));
    return request(
        cn, spki, new AlgorithmIdentifier(NISTObjectIdentifiers.dsa_with_sha256), signature);
  }

  /** An EC key whose AlgorithmIdentifier has no parameters (no curve). */
  public static byte[] ecWithoutParameters(String cn) {
    byte[] point = randomBytes(65);
    point[0] = 0x04;
    SubjectPublicKeyInfo spki =
        new SubjectPublicKeyInfo(
            new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey), point);
    return request(
        cn, spki, new AlgorithmIdentifier(X9ObjectIdentifiers.ecdsa_with_SHA256), randomBytes(70));
  }

  private static SubjectPublicKeyInfo spki(AlgorithmIdentifier algorithm, ASN1Encodable key) {
    try {
      return new SubjectPublicKeyInfo(algorithm, key);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] request(
      String cn,
      SubjectPublicKeyInfo spki,
      AlgorithmIdentifier signatureAlgorithm,
      byte[] signature) {
    CertificationRequestInfo info =
        new CertificationRequestInfo(new X500Name("CN=" + cn), spki, new DERSet());
    return encode(new CertificationRequest(info, signatureAlgorithm, new DERBitString(signature)));
  }

  private static byte[] encode(ASN1Object o) {
    try {
      return o.getEncoded("DER");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }

  /** What Bouncy Castle's RSA key checks accept as a modulus: odd, no prime factor below 1000. */
  private static BigInteger oddWithoutSmallFactors(int bits) {
    BigInteger small = BigInteger.ONE;
    for (int p = 3; p < 1000; p += 2) {
      if (BigInteger.valueOf(p).isProbablePrime(20)) {
        small = small.multiply(BigInteger.valueOf(p));
      }
    }
    while (true) {
      BigInteger n = new BigInteger(bits, RANDOM).setBit(bits - 1).setBit(0);
      if (n.gcd(small).equals(BigInteger.ONE)) {
        return n;
      }
    }
  }
}
