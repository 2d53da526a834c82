package dev.estuary.pki;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * How a client of Estuary trusts a server's certificate: the JDK's PKIX check (chain to the
 * anchors, validity, name constraints, EKU, host name when the connection asks for it), and then
 * two rules of its own that keep a device-held CA from passing for the server:
 *
 * <ul>
 *   <li>the server's certificate names its host in a subjectAltName (dNSName or iPAddress). Name
 *       constraints bind SANs, not a common name, and the JDK falls back to the common name when a
 *       certificate has no SAN; so a CN-only certificate minted below an Edge CA could otherwise
 *       slip past the Edge CA's exclusions.
 *   <li>the server's certificate is not a CA certificate: an Edge CA itself, requested with the
 *       server's name as its common name, is never a server.
 * </ul>
 *
 * Clients only: checking a client's certificate is delegated unchanged.
 */
final class ServerCertificateTrust extends X509ExtendedTrustManager {
  private final X509ExtendedTrustManager pkix;

  ServerCertificateTrust(X509ExtendedTrustManager pkix) {
    this.pkix = pkix;
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    pkix.checkServerTrusted(chain, authType, socket);
    requireNamedEndEntity(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    pkix.checkServerTrusted(chain, authType, engine);
    requireNamedEndEntity(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    pkix.checkServerTrusted(chain, authType);
    requireNamedEndEntity(chain);
  }

  static void requireNamedEndEntity(X509Certificate[] chain) throws CertificateException {
    X509Certificate leaf = chain[0];
    if (leaf.getBasicConstraints() >= 0) {
      throw new CertificateException(
          "the server's certificate ("
              + leaf.getSubjectX500Principal()
              + ") is a CA certificate, not a server's");
    }
    if (!hasHostName(leaf)) {
      throw new CertificateException(
          "the server's certificate ("
              + leaf.getSubjectX500Principal()
              + ") names no host in a subjectAltName (DNS name or IP address)");
    }
  }

  private static boolean hasHostName(X509Certificate leaf) throws CertificateParsingException {
    Collection<List<?>> sans = leaf.getSubjectAlternativeNames();
    if (sans == null) {
      return false;
    }
    for (List<?> san : sans) {
      int type = (Integer) san.get(0);
      if (type == 2 || type == 7) { // dNSName, iPAddress
        return true;
      }
    }
    return false;
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    pkix.checkClientTrusted(chain, authType, socket);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    pkix.checkClientTrusted(chain, authType, engine);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    pkix.checkClientTrusted(chain, authType);
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return pkix.getAcceptedIssuers();
  }
}
