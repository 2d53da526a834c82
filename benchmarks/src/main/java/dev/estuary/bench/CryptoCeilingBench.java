package dev.estuary.bench;

import dev.estuary.pki.Bc;
import dev.estuary.server.crypto.NativeCrypto;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Security;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The crypto ceiling: raw SHA256withECDSA on P-256 over a 500-byte message (about a certificate's
 * TBS), with nothing around it, for Bouncy Castle and the JDK's provider side by side. No
 * enrollment can be cheaper than one {@code ecdsaP256VerifyFreshKey} (the CSR's proof of
 * possession) plus one {@code ecdsaP256Sign} (the certificate).
 *
 * <ul>
 *   <li>{@code ecdsaP256Sign}: one signature with the CA key; the Signature object is initialised
 *       once, as a server that keeps its CA signer ready would.
 *   <li>{@code ecdsaP256VerifyFreshKey}: decode an X.509 SubjectPublicKeyInfo into a new key
 *       object, then verify — what a server does for each new CSR. Rotates through {@link
 *       Material#POOL} keys.
 *   <li>{@code ecdsaP256VerifyCachedKey}: verify with key objects decoded beforehand (the same
 *       pool) — shows what the key decode and any per-key precomputation cost.
 *   <li>{@code sha256Of500Bytes}: the hash alone, for reference.
 * </ul>
 *
 * {@code provider}: {@code BC} is Bouncy Castle (what the pki core uses); {@code JDK} is the JDK's
 * own provider: SunEC for ECDSA and EC keys, SUN for SHA-256; {@code Conscrypt} is BoringSSL, what
 * the server's {@code [keys] signatures = "auto"} picks where it loads.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class CryptoCeilingBench {

  static final String ALGORITHM = "SHA256withECDSA";
  static final int MESSAGE_BYTES = 500;

  @State(Scope.Thread)
  public static class Crypto {
    /** BC (Bouncy Castle), JDK (SunEC for ECDSA, SUN for SHA-256) or Conscrypt (BoringSSL). */
    @Param({"BC", "JDK", "Conscrypt"})
    public String provider;

    byte[] message;
    Signature signer;
    Signature verifier;
    KeyFactory keyFactory;
    MessageDigest sha256;
    byte[][] encodedKeys;
    PublicKey[] decodedKeys;
    byte[][] signatures;

    @Setup(Level.Trial)
    public void make() throws GeneralSecurityException {
      Provider ec =
          switch (provider) {
            case "BC" -> Bc.provider();
            case "JDK" -> Security.getProvider("SunEC");
            case "Conscrypt" -> NativeCrypto.provider();
            default ->
                throw new IllegalArgumentException(
                    "provider is BC, JDK or Conscrypt, not " + provider);
          };
      Provider digests = provider.equals("JDK") ? Security.getProvider("SUN") : ec;
      message = new byte[MESSAGE_BYTES];
      Material.RANDOM.nextBytes(message);
      sha256 = MessageDigest.getInstance("SHA-256", digests);
      keyFactory = KeyFactory.getInstance("EC", ec);
      verifier = Signature.getInstance(ALGORITHM, ec);

      KeyPairGenerator g = KeyPairGenerator.getInstance("EC", ec);
      g.initialize(new ECGenParameterSpec("secp256r1"), Material.RANDOM);
      signer = Signature.getInstance(ALGORITHM, ec);
      signer.initSign(g.generateKeyPair().getPrivate(), Material.RANDOM);

      encodedKeys = new byte[Material.POOL][];
      decodedKeys = new PublicKey[Material.POOL];
      signatures = new byte[Material.POOL][];
      Signature s = Signature.getInstance(ALGORITHM, ec);
      for (int i = 0; i < Material.POOL; i++) {
        KeyPair kp = g.generateKeyPair();
        s.initSign(kp.getPrivate(), Material.RANDOM);
        s.update(message);
        signatures[i] = s.sign();
        encodedKeys[i] = kp.getPublic().getEncoded();
        decodedKeys[i] = keyFactory.generatePublic(new X509EncodedKeySpec(encodedKeys[i]));
      }
      for (int i = 0; i < Material.POOL; i++) { // what we measure must be the success path
        if (!verify(this, keyFactory.generatePublic(new X509EncodedKeySpec(encodedKeys[i])), i)) {
          throw new IllegalStateException(provider + " does not verify its own signature " + i);
        }
      }
      if (!signer.getProvider().getName().equals(ec.getName())
          || !verifier.getProvider().getName().equals(ec.getName())
          || !sha256.getProvider().getName().equals(digests.getName())) {
        throw new IllegalStateException("a different provider was chosen than asked for");
      }
    }
  }

  @Benchmark
  public byte[] ecdsaP256Sign(Crypto c) throws GeneralSecurityException {
    c.signer.update(c.message);
    return c.signer.sign();
  }

  @Benchmark
  public boolean ecdsaP256VerifyFreshKey(Crypto c, Cursor cursor) throws GeneralSecurityException {
    int i = cursor.next();
    PublicKey key = c.keyFactory.generatePublic(new X509EncodedKeySpec(c.encodedKeys[i]));
    return check(verify(c, key, i));
  }

  @Benchmark
  public boolean ecdsaP256VerifyCachedKey(Crypto c, Cursor cursor) throws GeneralSecurityException {
    int i = cursor.next();
    return check(verify(c, c.decodedKeys[i], i));
  }

  @Benchmark
  public byte[] sha256Of500Bytes(Crypto c) {
    return c.sha256.digest(c.message);
  }

  static boolean verify(Crypto c, PublicKey key, int i) throws GeneralSecurityException {
    c.verifier.initVerify(key);
    c.verifier.update(c.message);
    return c.verifier.verify(c.signatures[i]);
  }

  private static boolean check(boolean ok) {
    if (!ok) {
      throw new IllegalStateException("a pool signature did not verify");
    }
    return ok;
  }
}
