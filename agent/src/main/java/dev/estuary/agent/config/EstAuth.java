package dev.estuary.agent.config;

import java.util.Objects;
import java.util.Optional;

/**
 * How the agent proves who it is to the EST server, as one {@code auth} table (or the auth keys of
 * one certificate's table) says. Basic may be combined with either certificate, but the identity
 * and the bootstrap identity are exclusive.
 *
 * @param basic HTTP Basic credentials, sent with every request
 * @param identity a client certificate used as is for every request (the seed's IDevID)
 * @param bootstrapIdentity a client certificate used once to obtain the EST identity ({@code
 *     est-id}), and again only when that has expired
 */
public record EstAuth(
    Optional<BasicAuth> basic,
    Optional<X509Credential> identity,
    Optional<X509Credential> bootstrapIdentity) {

  /** No credentials at all. */
  public static final EstAuth NONE =
      new EstAuth(Optional.empty(), Optional.empty(), Optional.empty());

  public EstAuth {
    Objects.requireNonNull(basic, "basic");
    Objects.requireNonNull(identity, "identity");
    Objects.requireNonNull(bootstrapIdentity, "bootstrapIdentity");
    if (identity.isPresent() && bootstrapIdentity.isPresent()) {
      throw new IllegalArgumentException("identity and bootstrap identity are exclusive");
    }
  }

  /** True when no credential is set. */
  public boolean isEmpty() {
    return basic.isEmpty() && identity.isEmpty() && bootstrapIdentity.isEmpty();
  }

  /**
   * True when the agent must first obtain an EST identity ({@code est-id}) with the bootstrap one.
   */
  public boolean needsEstIdentity() {
    return bootstrapIdentity.isPresent();
  }
}
