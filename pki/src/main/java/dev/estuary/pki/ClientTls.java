package dev.estuary.pki;

import java.io.IOException;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * TLS client contexts (JSSE) from in-memory trust anchors and an optional client identity. The
 * identity's key may be a software key (Bouncy Castle's or the JDK's) or a handle to a key in a
 * token (PKCS#11): it is handed to JSSE without being copied into a keystore. The server's
 * certificate must chain to the trust anchors (PKIX, name constraints included) and be a named end
 * entity ({@link ServerCertificateTrust}).
 */
public final class ClientTls {
  private ClientTls() {}

  /**
   * @param trust the roots (or CAs) that the server's certificate must chain to
   * @param chain the client certificate chain, leaf first, for mTLS; null for none
   * @param key the client certificate's private key (a software or token key); null for none
   */
  public static SSLContext context(
      Collection<X509Certificate> trust, List<X509Certificate> chain, PrivateKey key)
      throws GeneralSecurityException {
    try {
      KeyStore anchors = KeyStore.getInstance("PKCS12");
      anchors.load(null, null);
      int i = 0;
      for (X509Certificate c : trust) {
        anchors.setCertificateEntry("ca" + i++, c);
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(anchors);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(
          chain == null ? null : new FixedIdentity[] {new FixedIdentity(chain, key)},
          new TrustManager[] {new ServerCertificateTrust(pkix(tmf))},
          new SecureRandom());
      return ctx;
    } catch (IOException e) {
      throw new GeneralSecurityException(
          "cannot create an in-memory keystore: " + e.getMessage(), e);
    }
  }

  private static X509ExtendedTrustManager pkix(TrustManagerFactory tmf) {
    for (TrustManager tm : tmf.getTrustManagers()) {
      if (tm instanceof X509ExtendedTrustManager x) {
        return x;
      }
    }
    throw new IllegalStateException(
        "the JDK's PKIX trust manager factory made no X509ExtendedTrustManager");
  }

  /** Offers one certificate chain and key to every server that asks, whatever it asks for. */
  private static final class FixedIdentity extends X509ExtendedKeyManager {
    private static final String ALIAS = "client";
    private final X509Certificate[] chain;
    private final PrivateKey key;

    FixedIdentity(List<X509Certificate> chain, PrivateKey key) throws GeneralSecurityException {
      if (chain.isEmpty() || key == null) {
        throw new IllegalArgumentException("a client identity needs a certificate and its key");
      }
      this.chain = chain.toArray(X509Certificate[]::new);
      this.key = key.getAlgorithm().equals("ECDSA") ? jsseKey(key) : key;
    }

    /** JSSE offers no EC key named "ECDSA" (Bouncy Castle's name): hand it the JDK's form. */
    private static PrivateKey jsseKey(PrivateKey key) throws GeneralSecurityException {
      try {
        return KeyPairs.forJsse(key);
      } catch (PkiException e) {
        throw new GeneralSecurityException(e.getMessage(), e);
      }
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      return new String[] {ALIAS};
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
      return ALIAS;
    }

    @Override
    public String chooseEngineClientAlias(
        String[] keyTypes, Principal[] issuers, SSLEngine engine) {
      return ALIAS;
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
      return null;
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      return null;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      return ALIAS.equals(alias) ? chain.clone() : null;
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      return ALIAS.equals(alias) ? key : null;
    }
  }
}
