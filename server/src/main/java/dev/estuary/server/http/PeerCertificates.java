package dev.estuary.server.http;

import java.security.cert.X509Certificate;
import java.util.List;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Request;

/**
 * The TLS client certificate chain a request came with (leaf first), as the device port's handshake
 * accepted it: not yet validated, see {@link AnyClientCertificate}.
 */
public final class PeerCertificates {
  private PeerCertificates() {}

  /** The chain, or empty when the client presented none. */
  public static List<X509Certificate> of(Request request) {
    if (request.getAttribute(EndPoint.SslSessionData.ATTRIBUTE)
        instanceof EndPoint.SslSessionData ssl) {
      X509Certificate[] certs = ssl.peerCertificates();
      if (certs != null) {
        return List.of(certs);
      }
    }
    return List.of();
  }
}
