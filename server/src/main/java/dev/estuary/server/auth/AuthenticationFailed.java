package dev.estuary.server.auth;

/**
 * Credentials were presented but are not accepted (wrong, expired, revoked, not from a trusted
 * issuer). The message says which and why, and is sent to the client: it never carries secrets.
 * Each adapter maps it to its wire (EST 401, DPS 401002).
 */
public final class AuthenticationFailed extends Exception {
  public AuthenticationFailed(String reason) {
    super(reason, null, false, false);
  }

  public String reason() {
    return getMessage();
  }
}
