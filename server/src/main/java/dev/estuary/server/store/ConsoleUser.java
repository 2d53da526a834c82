package dev.estuary.server.store;

import java.time.Instant;

/**
 * A person who logs in to the web console with a password.
 *
 * @param role {@code admin}, {@code operator} or {@code auditor}
 * @param hash the encoded PBKDF2 hash of the password ({@code auth.PasswordHash})
 * @param createdBy the audit name of who made it
 * @param disabledAt null while the user may log in
 */
public record ConsoleUser(
    String username,
    String role,
    String hash,
    Instant createdAt,
    String createdBy,
    Instant disabledAt) {

  public boolean disabled() {
    return disabledAt != null;
  }

  @Override
  public String toString() {
    return "ConsoleUser[" + username + ", " + role + (disabled() ? ", disabled" : "") + "]";
  }
}
