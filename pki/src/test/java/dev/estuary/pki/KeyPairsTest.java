package dev.estuary.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Software keys a device makes and reads: JDK keys (no Bouncy Castle provider needed), PKCS#8 PEM,
 * the public half derived from the private key alone.
 */
class KeyPairsTest {
  private static final SecureRandom RANDOM = new SecureRandom();

  @ParameterizedTest
  @ValueSource(strings = {"ec-p256", "ec-p384", "ec-p521", "rsa-2048", "ed25519"})
  void keysComeFromTheJdkAndSurviveAPkcs8PemRoundTrip(String type) throws Exception {
    KeyPair pair = KeyPairs.generate(type, RANDOM);

    String pem = Pem.encode(pair.getPrivate());
    PrivateKey read = Pem.privateKey(pem);

    assertThat(pair.getPrivate().getClass().getName()).startsWith("sun.security.");
    assertThat(pem).startsWith("-----BEGIN PRIVATE KEY-----\n");
    assertThat(read.getEncoded()).isEqualTo(pair.getPrivate().getEncoded());
    assertThat(read.getClass().getName()).startsWith("sun.security.");
  }

  @ParameterizedTest
  @ValueSource(strings = {"ec-p256", "ec-p384", "rsa-2048"})
  void thePublicHalfIsDerivedFromThePrivateKeyAlone(String type) throws Exception {
    KeyPair pair = KeyPairs.generate(type, RANDOM);

    var derived = KeyPairs.publicKeyOf(Pem.privateKey(Pem.encode(pair.getPrivate())));

    assertThat(derived.getEncoded()).isEqualTo(pair.getPublic().getEncoded());
    String algorithm = type.startsWith("ec") ? "SHA256withECDSA" : "SHA256withRSA";
    Signature signer = Signature.getInstance(algorithm);
    signer.initSign(pair.getPrivate());
    signer.update(new byte[] {1, 2, 3});
    Signature verifier = Signature.getInstance(algorithm);
    verifier.initVerify(derived);
    verifier.update(new byte[] {1, 2, 3});
    assertThat(verifier.verify(signer.sign())).isTrue();
  }

  @Test
  void theP521PublicHalfIsDerivedToo() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp521r1"), RANDOM);
    KeyPair pair = generator.generateKeyPair();

    assertThat(KeyPairs.publicKeyOf(pair.getPrivate()).getEncoded())
        .isEqualTo(pair.getPublic().getEncoded());
  }

  @Test
  void aTraditionalOpensslEcKeyIsReadAndItsPublicHalfIsTheOneOpensslDerives() throws Exception {
    // openssl ecparam -name prime256v1 -genkey -noout (SEC 1 "EC PRIVATE KEY", curve in the block)
    String sec1 =
        """
        -----BEGIN EC PRIVATE KEY-----
        MHcCAQEEIDKFrJ+4SMKgdDyt7wszjQQnxYosqeYD3C6jO9MzUqgzoAoGCCqGSM49
        AwEHoUQDQgAEhTV07oNwR7MEMtOQPRL0K4QfuwOoexdG9eUCDN+Q538QP3zS55Pa
        q6STjBHUKXTIS1uG81x489GZkvoqhNLtiA==
        -----END EC PRIVATE KEY-----
        """;
    // openssl ec -pubout -outform DER | base64
    String publicDer =
        "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEhTV07oNwR7MEMtOQPRL0K4QfuwOoexdG9eUCDN+Q538QP3zS55Paq6STjBHUKXTIS1uG81x489GZkvoqhNLtiA==";

    PrivateKey key = Pem.privateKey(sec1);

    assertThat(key.getAlgorithm()).isEqualTo("EC");
    assertThat(KeyPairs.publicKeyOf(key).getEncoded())
        .isEqualTo(Base64.getDecoder().decode(publicDer));
  }

  @Test
  void aKeyOfAnUnsupportedAlgorithmIsNamed() {
    // openssl genpkey -algorithm X25519: a key-agreement key (OID 1.3.101.110), not a signing key
    String x25519 =
        """
        -----BEGIN PRIVATE KEY-----
        MC4CAQAwBQYDK2VuBCIEIOAKFFzvJ49CBYjlhcBl3ALdYRRqbMLg/5uYAG1yVtZq
        -----END PRIVATE KEY-----
        """;

    assertThatThrownBy(() -> Pem.privateKey(x25519))
        .isInstanceOf(PkiException.class)
        .hasMessage("unsupported private key algorithm 1.3.101.110 (EC, RSA and Ed25519 are)");
  }
}
