package dev.estuary.server.auth;

import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * Who a request comes from, as authentication established it: values only, no store rows.
 *
 * @param gate how it authenticated: "secret", "basic", "mtls", or "dps" (X.509 attestation of the
 *     provisioning API)
 * @param identity what the certificate record keeps as the requester: the secret id, the Basic
 *     username, or the client certificate's SHA-256
 * @param principal the stable identity names are bound to (see {@link Principals}): the same for an
 *     IDevID and every certificate this server issued on its behalf
 * @param clientChain the verified client path, leaf first, without the trust anchor (empty unless a
 *     certificate authenticated); every certificate of it this server issued was checked for
 *     revocation
 * @param secretId the bootstrap secret to consume on issuance, or null
 * @param issuedHere the presented certificate when this server issued it, or null
 * @param boundName the name authentication already tied the caller to (a DPS registration id), or
 *     null
 */
public record Caller(
    String gate,
    String identity,
    String principal,
    List<X509Certificate> clientChain,
    String secretId,
    IssuedHere issuedHere,
    String boundName) {
  public Caller {
    clientChain = List.copyOf(clientChain);
  }

  /** A certificate this server issued, as its record names it. */
  public record IssuedHere(String label, BigInteger serial) {}

  /** True when the presented certificate was issued by {@code label}: the caller renews. */
  public boolean renews(String label) {
    return issuedHere != null && issuedHere.label().equals(label);
  }

  public X509Certificate clientCertificate() {
    return clientChain.isEmpty() ? null : clientChain.get(0);
  }

  /** True when the principal is a certificate identity (not a shared secret or user). */
  public boolean certificatePrincipal() {
    return principal.startsWith(Principals.CERTIFICATE_PREFIX);
  }
}
