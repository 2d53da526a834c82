package dev.estuary.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.estuary.pki.IssuingCa;
import dev.estuary.server.crypto.NativeCrypto;
import dev.estuary.server.testing.TestPki;
import java.net.Socket;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NativeKeyManagerTest {
  private static final char[] PASSWORD = "changeit".toCharArray();

  private static X509ExtendedKeyManager keyManager(KeyPair key) throws Exception {
    KeyStore store = TestPki.keyStore(key, "tls", PASSWORD);
    KeyManagerFactory f = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    f.init(store, PASSWORD);
    return (X509ExtendedKeyManager) f.getKeyManagers()[0];
  }

  @ParameterizedTest
  @ValueSource(strings = {"ec-p256", "rsa-2048"})
  void handsOutConscryptsOwnKeyOnceConvertedThatSignsForTheSamePublicKey(String type)
      throws Exception {
    assumeTrue(NativeCrypto.available(), "Conscrypt's native library loads on this machine");
    KeyPair key = TestPki.key(type);
    NativeKeyManager m = new NativeKeyManager(keyManager(key), NativeCrypto.provider());

    PrivateKey first = m.getPrivateKey("tls");

    assertThat(first.getClass().getName()).startsWith("org.conscrypt.");
    assertThat(m.getPrivateKey("tls")).isSameAs(first);
    assertThat(first.getEncoded()).isEqualTo(key.getPrivate().getEncoded());
    String algorithm = IssuingCa.signatureAlgorithm(key.getPublic());
    Signature sign = Signature.getInstance(algorithm, NativeCrypto.provider());
    sign.initSign(first);
    sign.update(new byte[] {1, 2, 3});
    Signature verify = Signature.getInstance(algorithm);
    verify.initVerify(key.getPublic());
    verify.update(new byte[] {1, 2, 3});
    assertThat(verify.verify(sign.sign())).isTrue();
  }

  @Test
  void passesOnTheChainAndAliasesAndAnUnknownAliasAsTheKeyStoreHasThem() throws Exception {
    assumeTrue(NativeCrypto.available(), "Conscrypt's native library loads on this machine");
    KeyPair key = TestPki.key("ec-p256");
    X509ExtendedKeyManager plain = keyManager(key);
    NativeKeyManager m = new NativeKeyManager(plain, NativeCrypto.provider());

    assertThat(m.getCertificateChain("tls")).isEqualTo(plain.getCertificateChain("tls"));
    assertThat(m.getServerAliases("EC", null)).isEqualTo(plain.getServerAliases("EC", null));
    assertThat(m.getPrivateKey("no-such-alias")).isNull();
    assertThat(m.getPrivateKey(null)).isNull();
  }

  @Test
  void handsOnAKeyWithoutAnEncodingUnchanged() throws Exception {
    assumeTrue(NativeCrypto.available(), "Conscrypt's native library loads on this machine");
    PrivateKey onAToken =
        new PrivateKey() {
          @Override
          public String getAlgorithm() {
            return "EC";
          }

          @Override
          public String getFormat() {
            return null;
          }

          @Override
          public byte[] getEncoded() {
            return null;
          }
        };
    X509ExtendedKeyManager token =
        new X509ExtendedKeyManager() {
          @Override
          public PrivateKey getPrivateKey(String alias) {
            return onAToken;
          }

          @Override
          public X509Certificate[] getCertificateChain(String alias) {
            return null;
          }

          @Override
          public String[] getClientAliases(String keyType, Principal[] issuers) {
            return null;
          }

          @Override
          public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return null;
          }

          @Override
          public String[] getServerAliases(String keyType, Principal[] issuers) {
            return null;
          }

          @Override
          public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return null;
          }
        };

    assertThat(new NativeKeyManager(token, NativeCrypto.provider()).getPrivateKey("tls"))
        .isSameAs(onAToken);
  }
}
