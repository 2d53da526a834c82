package dev.estuary.pki;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** TLS client contexts (JSSE) from in-memory trust anchors and an optional client identity. */
public final class ClientTls {
  private static final char[] IN_MEMORY = "in-memory".toCharArray();

  private ClientTls() {}

  /**
   * @param trust the roots (or CAs) that the server's certificate must chain to
   * @param chain the client certificate chain, leaf first, for mTLS; null for none
   * @param key the client certificate's private key (a software or token key); null for none
   */
  public static SSLContext context(Collection<X509Certificate> trust, List<X509Certificate> chain, PrivateKey key)
      throws GeneralSecurityException {
    try {
      KeyStore anchors = KeyStore.getInstance("PKCS12");
      anchors.load(null, null);
      int i = 0;
      for (X509Certificate c : trust) {
        anchors.setCertificateEntry("ca" + i++, c);
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(anchors);
      KeyManagerFactory kmf = null;
      if (chain != null) {
        KeyStore identity = KeyStore.getInstance("PKCS12");
        identity.load(null, null);
        identity.setKeyEntry("client", key, IN_MEMORY, chain.toArray(Certificate[]::new));
        kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(identity, IN_MEMORY);
      }
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), new SecureRandom());
      return ctx;
    } catch (java.io.IOException e) {
      throw new GeneralSecurityException("cannot create an in-memory keystore: " + e.getMessage(), e);
    }
  }
}
