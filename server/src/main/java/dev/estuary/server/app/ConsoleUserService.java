package dev.estuary.server.app;

import dev.estuary.server.audit.AuditEvent;
import dev.estuary.server.audit.AuditLog;
import dev.estuary.server.audit.AuthFailureTally;
import dev.estuary.server.auth.Actor;
import dev.estuary.server.auth.FailedAuthLimiter;
import dev.estuary.server.auth.PasswordHash;
import dev.estuary.server.auth.Role;
import dev.estuary.server.auth.SecretMinter;
import dev.estuary.server.store.ConsoleUser;
import dev.estuary.server.store.ConsoleUserStore;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web console's users: created by an admin (the password given, or generated and shown once;
 * only its PBKDF2 hash is stored), listed, disabled, and checked at each console login. Logins are
 * limited per client address and per username before any hash is computed, and every login and
 * logout is in the audit log, failed logins counted per address and minute (never a password).
 */
public final class ConsoleUserService {
  private static final Logger LOG = LoggerFactory.getLogger(ConsoleUserService.class);

  /** Letters, digits, '.', '_', '@', '-'; 1 to 64. */
  public static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9._@-]{1,64}");

  /** The shortest password a person may choose. */
  public static final int MIN_PASSWORD = 12;

  /** The longest password hashed (longer ones are refused before any hash is computed). */
  public static final int MAX_PASSWORD = 1024;

  private final ConsoleUserStore store;
  private final AuditLog audit;
  private final AuthFailureTally tally;
  private final FailedAuthLimiter perAddress;
  private final FailedAuthLimiter perUsername;
  private final SecureRandom random;
  private final Clock clock;
  private final int iterations;

  /**
   * @param failures failed logins per window and key: per address, and per username (a guess at one
   *     name from many addresses is limited too)
   */
  public ConsoleUserService(
      ConsoleUserStore store,
      AuditLog audit,
      AuthFailureTally tally,
      FailedAuthLimiter failures,
      SecureRandom random,
      Clock clock) {
    this(store, audit, tally, failures, random, clock, PasswordHash.DEFAULT_ITERATIONS);
  }

  /** With {@code iterations} of PBKDF2 for new passwords (tests use fewer). */
  public ConsoleUserService(
      ConsoleUserStore store,
      AuditLog audit,
      AuthFailureTally tally,
      FailedAuthLimiter failures,
      SecureRandom random,
      Clock clock,
      int iterations) {
    this.store = store;
    this.audit = audit;
    this.tally = tally;
    this.perAddress = failures.times(3);
    this.perUsername = failures;
    this.random = random;
    this.clock = clock;
    this.iterations = iterations;
  }

  /** A created user and its password, shown once (generated when none was given). */
  public record Created(ConsoleUser user, String password, boolean generated) {
    @Override
    public String toString() {
      return "Created[" + user.username() + "]";
    }
  }

  /**
   * Creates a console user.
   *
   * @param password the password, or null to generate one (then shown once in the answer)
   * @throws IllegalArgumentException for a bad name or a password too short or too long, or a name
   *     taken (nothing changed)
   */
  public Created create(Actor actor, String username, Role role, String password)
      throws NotPermitted {
    Permission.CREATE_CONSOLE_USERS.check(actor);
    if (username == null || !USERNAME.matcher(username).matches()) {
      throw new IllegalArgumentException(
          "a console user name is 1-64 letters, digits, '.', '_', '@' or '-'");
    }
    boolean generated = password == null;
    if (generated) {
      password = SecretMinter.token(random, 24);
    } else if (password.length() < MIN_PASSWORD || password.length() > MAX_PASSWORD) {
      throw new IllegalArgumentException(
          "a console password is "
              + MIN_PASSWORD
              + " to "
              + MAX_PASSWORD
              + " characters (was "
              + password.length()
              + ")");
    }
    ConsoleUser u =
        new ConsoleUser(
            username,
            role.wire(),
            PasswordHash.hash(password, random, iterations),
            clock.instant(),
            actor.auditName(),
            null);
    store.create(u);
    // audited (console-user.created, in the store's transaction)
    LOG.info("{} created console user {} ({})", actor.auditName(), username, role.wire());
    return new Created(u, password, generated);
  }

  public List<ConsoleUser> list(Actor actor) throws NotPermitted {
    Permission.LIST_CONSOLE_USERS.check(actor);
    return store.list();
  }

  /**
   * @return false when there is no such user
   */
  public boolean disable(Actor actor, String username) throws NotPermitted {
    Permission.DISABLE_CONSOLE_USERS.check(actor);
    boolean found = store.disable(username, clock.instant(), actor.auditName());
    if (found) {
      // audited (console-user.disabled, in the store's transaction, when it changed)
      LOG.info("{} disabled console user {}", actor.auditName(), username);
    }
    return found;
  }

  /** The outcome of a password login. */
  public sealed interface Login {}

  /** Who logged in. */
  public record LoggedIn(Actor actor) implements Login {}

  /** Too many failed logins from this address or for this name lately: not even looked at. */
  public record TooManyFailures(Duration retryAfter) implements Login {}

  /** Wrong name or password, or a disabled user (the person is told only "wrong"). */
  public record Refused() implements Login {}

  /**
   * Checks a password login from {@code address}: the limits first, then the user's row, then the
   * hash. Audited either way.
   */
  public Login login(String address, String username, String password) {
    String name = username == null ? "" : username;
    Duration wait = longer(perAddress.waitFor(address), perUsername.waitFor("user:" + name));
    if (!wait.isZero()) {
      failed(address, name, "too many failed logins");
      return new TooManyFailures(wait);
    }
    Optional<ConsoleUser> u =
        USERNAME.matcher(name).matches() ? store.find(name) : Optional.empty();
    if (u.isEmpty()
        || password == null
        || password.length() > MAX_PASSWORD
        || !PasswordHash.verify(password, u.get().hash())) {
      perAddress.failed(address);
      perUsername.failed("user:" + name);
      failed(address, name, u.isEmpty() ? "no such console user" : "wrong password");
      return new Refused();
    }
    if (u.get().disabled()) {
      failed(address, name, "the console user is disabled");
      return new Refused();
    }
    Optional<Role> role = Role.parse(u.get().role());
    if (role.isEmpty()) {
      failed(address, name, "the console user has no known role");
      return new Refused();
    }
    Actor actor = Actor.console(name, role.get());
    loggedIn(actor, address, "password");
    return new LoggedIn(actor);
  }

  /**
   * True while the console user {@code actor} may still log in (exists, not disabled, same role):
   * the console asks on every request, so disabling a user ends its sessions at once.
   */
  public boolean stillValid(Actor actor) {
    if (!actor.id().startsWith("console:")) {
      return false;
    }
    Optional<ConsoleUser> u = store.find(actor.id().substring("console:".length()));
    return u.isPresent() && !u.get().disabled() && u.get().role().equals(actor.role().wire());
  }

  /** Records a console login of {@code actor} (by password or admin token) from {@code address}. */
  public void loggedIn(Actor actor, String address, String method) {
    Map<String, String> d = new LinkedHashMap<>();
    d.put("address", address);
    d.put("method", method);
    d.put("role", actor.role().wire());
    audit.append(audit.event(AuditEvent.CONSOLE_LOGIN, actor.auditName(), d));
  }

  /** Records a console logout ({@code why}: "logout" or "idle"). */
  public void loggedOut(Actor actor, String address, String why) {
    audit.append(
        audit.event(
            AuditEvent.CONSOLE_LOGOUT,
            actor.auditName(),
            Map.of("address", address == null ? "?" : address, "why", why)));
  }

  /**
   * Counts a failed console login (surface {@code console}; the name tried, never the password):
   * the {@link AuthFailureTally} appends one audit record per address and minute, so an anonymous
   * caller cannot fill the audit table.
   */
  public void failed(String address, String username, String reason) {
    String name = username.replaceAll("[^A-Za-z0-9._@-]", "?");
    tally.failed(
        "console",
        address,
        reason + " (user '" + (name.length() > 64 ? name.substring(0, 64) + "…" : name) + "')");
  }

  private static Duration longer(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }
}
