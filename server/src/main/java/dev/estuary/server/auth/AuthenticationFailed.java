package dev.estuary.server.auth;

/**
 * Credentials were presented but are not accepted (wrong, expired, revoked, not from a trusted
 * issuer). The message says which and why, and is sent to the client: it never carries secrets.
 * Each adapter maps it to its wire (EST 401, DPS 401002).
 */
public final class AuthenticationFailed extends Exception {
  private final boolean wrongCredentials;

  public AuthenticationFailed(String reason) {
    this(reason, false);
  }

  private AuthenticationFailed(String reason, boolean wrongCredentials) {
    super(reason, null, false, false);
    this.wrongCredentials = wrongCredentials;
  }

  /**
   * The presented secret or password is wrong (or names no credential), or the client certificate
   * does not lead to a trusted issuer: what a guesser or a forger gets, and what the failed-auth
   * limiter counts. A right secret that is used up, expired, disabled or for another label is
   * refused with a plain {@link #AuthenticationFailed(String)}: not a guess, not counted (so the
   * losers of a legitimate race for a secret's last use lock nobody out).
   */
  public static AuthenticationFailed wrongCredentials(String reason) {
    return new AuthenticationFailed(reason, true);
  }

  public boolean wrongCredentials() {
    return wrongCredentials;
  }

  public String reason() {
    return getMessage();
  }
}
