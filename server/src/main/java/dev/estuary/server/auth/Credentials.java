package dev.estuary.server.auth;

import java.security.cert.X509Certificate;
import java.util.List;

/**
 * What a request presented to prove who it is; any part may be absent.
 *
 * @param secretValue the {@code Secret-Value} header, or null
 * @param basicUser the HTTP Basic username, or null
 * @param basicPassword the HTTP Basic password, or null
 * @param clientChain the TLS client certificate chain, leaf first; empty when none
 */
public record Credentials(
    String secretValue, String basicUser, String basicPassword, List<X509Certificate> clientChain) {
  public Credentials {
    clientChain = List.copyOf(clientChain);
  }

  @Override
  public String toString() { // never print secrets
    return "Credentials[secret="
        + (secretValue != null ? "present" : "absent")
        + ", basicUser="
        + basicUser
        + ", clientCertificates="
        + clientChain.size()
        + "]";
  }
}
