package dev.estuary.server.auth;

import dev.estuary.server.store.BootstrapSecret;
import dev.estuary.server.store.CredentialStore;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The factory's bootstrap secret, sent as {@code Secret-Value: <id>.<secret>} (as GlobalSign's IoT
 * Edge Enroll does). Checks label, expiry, uses left and the hash; the use itself is consumed
 * atomically with recording the certificate.
 */
public final class BootstrapSecretGate implements Gate {
  private final CredentialStore store;
  private final VerifiedCredentialCache cache;
  private final Clock clock;

  public BootstrapSecretGate(CredentialStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
    this.cache = new VerifiedCredentialCache(clock, Duration.ofMinutes(5));
  }

  @Override
  public String name() {
    return "secret";
  }

  @Override
  public Optional<Caller> authenticate(Credentials credentials, String label)
      throws AuthenticationFailed {
    String value = credentials.secretValue();
    if (value == null) {
      return Optional.empty();
    }
    int dot = value.indexOf('.');
    String id = dot > 0 ? value.substring(0, dot).strip() : "";
    BootstrapSecret secret = id.isEmpty() ? null : store.findSecret(id).orElse(null);
    if (secret == null || !cache.verify("secret", value.strip(), secret.hash())) {
      throw AuthenticationFailed.wrongCredentials(
          "the Secret-Value is not a valid bootstrap secret");
    }
    if (!secret.label().equals(label)) {
      throw new AuthenticationFailed(
          "the bootstrap secret "
              + id
              + " is for label '"
              + secret.label()
              + "', not '"
              + label
              + "'");
    }
    if (secret.disabled()) {
      throw new AuthenticationFailed("the bootstrap secret " + id + " is disabled");
    }
    if (secret.expiresAt() != null && !clock.instant().isBefore(secret.expiresAt())) {
      throw new AuthenticationFailed(
          "the bootstrap secret " + id + " expired at " + secret.expiresAt());
    }
    if (secret.usesRemaining() != null && secret.usesRemaining() <= 0) {
      throw new AuthenticationFailed("the bootstrap secret " + id + " is used up");
    }
    return Optional.of(new Caller(name(), id, Principals.ofSecret(id), List.of(), id, null, null));
  }
}
