package dev.estuary.server.app;

import dev.estuary.server.auth.Actor;
import dev.estuary.server.auth.FailedAuthLimiter;
import dev.estuary.server.auth.PasswordHash;
import dev.estuary.server.auth.Role;
import dev.estuary.server.auth.SecretMinter;
import dev.estuary.server.auth.VerifiedCredentialCache;
import dev.estuary.server.store.AdminTokenRecord;
import dev.estuary.server.store.AdminTokenStore;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admin API tokens: created (shown once, stored as a PBKDF2 hash), listed (never the secret),
 * revoked, and checked on every admin request.
 *
 * <p>A token is {@code <id>.<secret>}: the id finds its row before the hash is computed, and the
 * failed-authentication limit per client address is checked before either. A verified token is
 * remembered for a few minutes ({@link VerifiedCredentialCache}), but its row (revoked? expired?)
 * is read on every request, so a revocation holds from the next request on. The server.toml {@code
 * token_hash} token (no row; the quickstart's) is {@link Actor#CONFIG_TOKEN}, an admin.
 */
public final class TokenService {
  private static final Logger LOG = LoggerFactory.getLogger(TokenService.class);

  /** The shape of a stored token's text: 10-character id, a dot, 32 random characters. */
  private static final Pattern STORED_FORM = Pattern.compile("[a-z2-9]{10}\\.[A-Za-z2-9]{32}");

  private static final char[] ID_ALPHABET = "abcdefghijkmnopqrstuvwxyz23456789".toCharArray();

  private final AdminTokenStore store;
  private final String configTokenHash;
  private final FailedAuthLimiter failures;
  private final VerifiedCredentialCache verified;
  private final SecureRandom random;
  private final Clock clock;

  /**
   * @param configTokenHash the server.toml {@code [admin] token_hash}, or null for none
   * @param failures wrong tokens per client address, checked before any hash is computed
   */
  public TokenService(
      AdminTokenStore store,
      String configTokenHash,
      FailedAuthLimiter failures,
      SecureRandom random,
      Clock clock) {
    this.store = store;
    this.configTokenHash = configTokenHash;
    this.failures = failures;
    this.verified = new VerifiedCredentialCache(clock, Duration.ofMinutes(5));
    this.random = random;
    this.clock = clock;
  }

  /** A new token as shown once, with what was stored. */
  public record Minted(String value, AdminTokenRecord stored) {
    @Override
    public String toString() {
      return "Minted[id=" + stored.id() + "]";
    }
  }

  /** The outcome of checking a presented token. */
  public sealed interface Authentication {}

  /** A valid token: who it is. */
  public record Authenticated(Actor actor) implements Authentication {}

  /** Too many wrong tokens from this address lately: not even looked at. */
  public record TooManyFailures(Duration retryAfter) implements Authentication {}

  /**
   * Not a valid token. {@code counted} when it was a wrong token (a guess), not a right one revoked
   * or expired.
   */
  public record Refused(String reason, boolean counted) implements Authentication {}

  /** Checks the bearer token {@code presented} from {@code address}: cheap limits first. */
  public Authentication authenticate(String address, String presented) {
    Duration wait = failures.waitFor(address);
    if (!wait.isZero()) {
      return new TooManyFailures(wait);
    }
    if (STORED_FORM.matcher(presented).matches()) {
      String id = presented.substring(0, presented.indexOf('.'));
      Optional<AdminTokenRecord> row = store.find(id);
      if (row.isPresent()) {
        return stored(address, presented, row.get());
      }
      // No such id: a guess, refused without computing a hash.
      return wrong(address);
    }
    if (configTokenHash != null && verified.verify("admin", presented, configTokenHash)) {
      return new Authenticated(Actor.CONFIG_TOKEN);
    }
    return wrong(address);
  }

  private Authentication stored(String address, String presented, AdminTokenRecord t) {
    if (!verified.verify("admin-token", presented, t.hash())) {
      return wrong(address);
    }
    Instant now = clock.instant();
    if (t.revokedAt() != null) {
      return new Refused("the admin token '" + t.id() + "' was revoked at " + t.revokedAt(), false);
    }
    if (t.expiresAt() != null && !now.isBefore(t.expiresAt())) {
      return new Refused("the admin token '" + t.id() + "' expired at " + t.expiresAt(), false);
    }
    Optional<Role> role = Role.parse(t.role());
    if (role.isEmpty()) {
      return new Refused("the admin token '" + t.id() + "' has no known role", false);
    }
    // audited by the admin API (admin.authenticated, once per actor and address every few minutes)
    return new Authenticated(Actor.token(t.id(), role.get()));
  }

  private Authentication wrong(String address) {
    // audited by the admin API (authentication.failed, counted per address and minute)
    failures.failed(address);
    return new Refused("the admin token is not valid", true);
  }

  /**
   * Creates a token; its text is in the answer and nowhere else.
   *
   * @param name what the operator calls it (may be empty)
   * @param expiresAt null for never
   */
  public Minted create(Actor actor, Role role, String name, Instant expiresAt) throws NotPermitted {
    Permission.CREATE_ADMIN_API_TOKENS.check(actor);
    String id = randomId();
    String value = id + "." + SecretMinter.token(random, 32);
    AdminTokenRecord t =
        new AdminTokenRecord(
            id,
            name,
            role.wire(),
            PasswordHash.hash(value, random),
            clock.instant(),
            actor.auditName(),
            expiresAt,
            null);
    store.create(t);
    // audited (token.created, in the store's transaction): the creator is t.createdBy()
    LOG.info(
        "{} created admin token id={} role={} expires={}",
        actor.auditName(),
        id,
        role.wire(),
        expiresAt);
    return new Minted(value, t);
  }

  /** Every token, revoked and expired ones included; never a secret. */
  public List<AdminTokenRecord> list(Actor actor) throws NotPermitted {
    Permission.LIST_ADMIN_API_TOKENS.check(actor);
    return store.list();
  }

  public Optional<AdminTokenRecord> find(Actor actor, String id) throws NotPermitted {
    Permission.READ_ADMIN_API_TOKENS.check(actor);
    return store.find(id);
  }

  /**
   * Revokes token {@code id}: refused (401) from the next request on.
   *
   * @return the token as revoked, or empty when there is none with that id
   */
  public Optional<AdminTokenRecord> revoke(Actor actor, String id) throws NotPermitted {
    Permission.REVOKE_ADMIN_API_TOKENS.check(actor);
    if (!store.revoke(id, clock.instant(), actor.auditName())) {
      return Optional.empty();
    }
    // audited (token.revoked, in the store's transaction)
    LOG.info("{} revoked admin token id={}", actor.auditName(), id);
    return store.find(id);
  }

  /**
   * True while the token {@code actor} logged in with is still valid (not revoked, not expired):
   * the console asks on every request of a session opened with a token.
   */
  public boolean stillValid(Actor actor) {
    if (actor.equals(Actor.CONFIG_TOKEN)) {
      return configTokenHash != null;
    }
    if (!actor.id().startsWith("token:")) {
      return false;
    }
    Optional<AdminTokenRecord> t = store.find(actor.id().substring("token:".length()));
    return t.isPresent() && state(t.get(), clock.instant()).equals("active");
  }

  /** {@code active}, {@code revoked} or {@code expired}. */
  public static String state(AdminTokenRecord t, Instant now) {
    if (t.revokedAt() != null) {
      return "revoked";
    }
    if (t.expiresAt() != null && !now.isBefore(t.expiresAt())) {
      return "expired";
    }
    return "active";
  }

  private String randomId() {
    char[] out = new char[10];
    for (int i = 0; i < out.length; i++) {
      out[i] = ID_ALPHABET[random.nextInt(ID_ALPHABET.length)];
    }
    return new String(out).toLowerCase(Locale.ROOT);
  }
}
