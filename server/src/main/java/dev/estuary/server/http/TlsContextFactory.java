package dev.estuary.server.http;

import dev.estuary.server.crypto.NativeCrypto;
import java.security.KeyStore;
import java.security.Provider;
import java.security.cert.CRL;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedKeyManager;
import org.conscrypt.Conscrypt;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * Jetty's server-side TLS factory as Estuary runs it, on either JSSE provider.
 *
 * <ul>
 *   <li>On the device port any client certificate is accepted in the handshake ({@link
 *       AnyClientCertificate}); each label validates it after.
 *   <li>The client's chain reaches the request as the JDK's own X.509 objects, whatever provider
 *       runs TLS. Jetty would parse it with the TLS provider's factory; Conscrypt's certificates do
 *       not remember a verified signature, so every request of a kept-alive connection paid a P-256
 *       verify again in the label's chain check (docs/benchmarks.md, "Conscrypt, fixed").
 *   <li>On Conscrypt the TLS key is Conscrypt's own key object, converted once, not parsed again in
 *       every handshake ({@link NativeKeyManager}).
 *   <li>Conscrypt engines issue TLS session tickets (Conscrypt leaves them off by default; the JDK
 *       issues them): a renewing device resumes instead of paying a full handshake.
 * </ul>
 */
final class TlsContextFactory extends SslContextFactory.Server {
  private final boolean anyClientCertificate;

  /**
   * @param anyClientCertificate true on the device port: ask for a client certificate, accept it
   *     whatever its issuer
   */
  TlsContextFactory(boolean anyClientCertificate) {
    this.anyClientCertificate = anyClientCertificate;
    if (anyClientCertificate) {
      setWantClientAuth(true);
      setEndpointIdentificationAlgorithm(null);
    }
  }

  @Override
  protected TrustManager[] getTrustManagers(KeyStore trustStore, Collection<? extends CRL> crls)
      throws Exception {
    return anyClientCertificate
        ? new TrustManager[] {new AnyClientCertificate()}
        : super.getTrustManagers(trustStore, crls);
  }

  /** On Conscrypt, the TLS key as Conscrypt's own key object ({@link NativeKeyManager}). */
  @Override
  protected KeyManager[] getKeyManagers(KeyStore keyStore) throws Exception {
    KeyManager[] managers = super.getKeyManagers(keyStore);
    if (managers == null || !"Conscrypt".equals(getProvider())) {
      return managers;
    }
    Provider conscrypt = NativeCrypto.provider();
    KeyManager[] wrapped = managers.clone();
    for (int i = 0; i < wrapped.length; i++) {
      if (wrapped[i] instanceof X509ExtendedKeyManager m) {
        wrapped[i] = new NativeKeyManager(m, conscrypt);
      }
    }
    return wrapped;
  }

  @Override
  protected CertificateFactory getCertificateFactoryInstance(String type)
      throws CertificateException {
    return CertificateFactory.getInstance(type);
  }

  @Override
  public void customize(SSLEngine engine) {
    super.customize(engine);
    if ("Conscrypt".equals(getProvider()) && Conscrypt.isConscrypt(engine)) {
      Conscrypt.setUseSessionTickets(engine, true);
    }
  }
}
