package dev.estuary.server.http;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * A key manager whose private keys are the TLS provider's own key objects, converted once.
 * Conscrypt takes any other key as PKCS#8 and parses it again in every handshake (1.5 % of a
 * new-connection enrollment's server CPU, docs/benchmarks.md); a key made by its own {@link
 * KeyFactory} goes to BoringSSL as it is. A key the provider cannot take (one on a PKCS#11 token
 * has no encoding) is handed on unchanged.
 */
final class NativeKeyManager extends X509ExtendedKeyManager {
  private final X509ExtendedKeyManager delegate;
  private final Provider provider;
  private final Map<String, PrivateKey> keys = new ConcurrentHashMap<>();

  NativeKeyManager(X509ExtendedKeyManager delegate, Provider provider) {
    this.delegate = delegate;
    this.provider = provider;
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    if (alias == null) {
      return null;
    }
    // An alias without a key maps to nothing (computeIfAbsent keeps no null) and is asked again.
    return keys.computeIfAbsent(
        alias,
        a -> {
          PrivateKey key = delegate.getPrivateKey(a);
          return key == null ? null : converted(key);
        });
  }

  private PrivateKey converted(PrivateKey key) {
    byte[] pkcs8 = "PKCS#8".equals(key.getFormat()) ? key.getEncoded() : null;
    if (pkcs8 == null) {
      return key;
    }
    try {
      return KeyFactory.getInstance(key.getAlgorithm(), provider)
          .generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
    } catch (GeneralSecurityException e) {
      return key; // an algorithm the provider does not parse: it converts per handshake as before
    }
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    return delegate.getCertificateChain(alias);
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return delegate.getClientAliases(keyType, issuers);
  }

  @Override
  public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
    return delegate.chooseClientAlias(keyType, issuers, socket);
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    return delegate.getServerAliases(keyType, issuers);
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return delegate.chooseServerAlias(keyType, issuers, socket);
  }

  @Override
  public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
    return delegate.chooseEngineClientAlias(keyType, issuers, engine);
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    return delegate.chooseEngineServerAlias(keyType, issuers, engine);
  }
}
