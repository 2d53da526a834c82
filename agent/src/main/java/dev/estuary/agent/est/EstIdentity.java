package dev.estuary.agent.est;

import dev.estuary.agent.config.BasicAuth;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How one EST request authenticates: a TLS client certificate, HTTP Basic, both, or neither.
 *
 * @param chain the client certificate, leaf first (with its intermediates when known); empty for
 *     none
 * @param key the client certificate's private key (software or token); null when {@code chain} is
 *     empty
 * @param basic HTTP Basic credentials, sent on every request (as the Azure identity service does)
 * @param name what to call this identity in logs, e.g. {@code "est-id"} or {@code "bootstrap
 *     identity"}
 */
public record EstIdentity(
    List<X509Certificate> chain, PrivateKey key, Optional<BasicAuth> basic, String name) {

  public EstIdentity {
    chain = List.copyOf(chain);
    Objects.requireNonNull(basic, "basic");
    Objects.requireNonNull(name, "name");
    if (chain.isEmpty() != (key == null)) {
      throw new IllegalArgumentException(
          "a client certificate needs its key, and a key its certificate");
    }
  }

  /** Only Basic (or nothing at all). */
  public static EstIdentity basicOnly(Optional<BasicAuth> basic) {
    return new EstIdentity(
        List.of(),
        null,
        basic,
        basic.isPresent() ? "username " + basic.get().username() : "no credentials");
  }

  /** Whether a TLS client certificate is presented. */
  public boolean hasCertificate() {
    return !chain.isEmpty();
  }

  @Override
  public String toString() {
    return "EstIdentity[" + name + "]";
  }
}
