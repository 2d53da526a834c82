package dev.estuary.pki;

import java.math.BigInteger;
import java.security.spec.ECFieldFp;
import java.security.spec.ECParameterSpec;
import java.security.spec.EllipticCurve;
import java.util.List;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;

/**
 * Multiples of an EC key's generator, for deriving a public key from its private half. For the NIST
 * prime curves the generator is Bouncy Castle's own (one instance per curve, with its field's
 * specialised arithmetic), so the fixed-point comb's table is computed once per process and kept on
 * that point: an agent loads its keys at every renewal step, and building the table for a fresh
 * generator cost some milliseconds of a device's CPU each time (the simulator's profile: 15 % of a
 * thousand agents' CPU). The JDK's key factory takes no other curve since Java 16.
 */
final class NamedCurves {
  private NamedCurves() {}

  private static final List<String> KNOWN = List.of("secp256r1", "secp384r1", "secp521r1");

  /** s·G on the curve of {@code params}. */
  static ECPoint multiplyGenerator(ECParameterSpec params, ECFieldFp field, BigInteger s) {
    return new FixedPointCombMultiplier().multiply(generator(params, field), s);
  }

  private static ECPoint generator(ECParameterSpec params, ECFieldFp field) {
    BigInteger gx = params.getGenerator().getAffineX();
    BigInteger gy = params.getGenerator().getAffineY();
    EllipticCurve c = params.getCurve();
    for (String name : KNOWN) {
      X9ECParameters x9 = CustomNamedCurves.getByName(name);
      ECPoint g = x9.getG();
      if (x9.getCurve().getField().getCharacteristic().equals(field.getP())
          && x9.getCurve().getA().toBigInteger().equals(c.getA())
          && x9.getCurve().getB().toBigInteger().equals(c.getB())
          && x9.getN().equals(params.getOrder())
          && g.getAffineXCoord().toBigInteger().equals(gx)
          && g.getAffineYCoord().toBigInteger().equals(gy)) {
        return g;
      }
    }
    throw new IllegalArgumentException("the key's curve is not one of NIST P-256, P-384, P-521");
  }
}
