package dev.estuary.agent.config;

import java.net.URI;
import java.util.Objects;

/**
 * A certificate and its private key that already exist on the device, e.g. the IDevID.
 *
 * @param cert a {@code file:///} URI of a PEM certificate (chain)
 * @param key a {@code file:///} URI of a PEM private key, or a {@code pkcs11:} URI (RFC 7512) of a
 *     key in a token; {@link #toString()} hides a {@code pin-value}
 */
public record X509Credential(URI cert, URI key) {

  public X509Credential {
    Objects.requireNonNull(cert, "cert");
    Objects.requireNonNull(key, "key");
  }

  /** True when the key lives in a PKCS#11 token. */
  public boolean keyInToken() {
    return "pkcs11".equalsIgnoreCase(key.getScheme());
  }

  @Override
  public String toString() {
    return "X509Credential[cert=" + cert + ", key=" + Pkcs11Uri.redact(key.toString()) + "]";
  }
}
