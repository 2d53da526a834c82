package dev.estuary.server.store;

import java.time.Instant;

/**
 * An admin API token as stored: never its text, only the hash of it.
 *
 * @param id public identifier, the part of the token before the dot
 * @param name what the operator called it (who holds it, what for)
 * @param role {@code admin}, {@code operator} or {@code auditor}
 * @param hash the encoded PBKDF2 hash of the whole token text
 * @param createdBy the actor that created it (e.g. {@code token:config})
 * @param expiresAt null for never
 * @param revokedAt null while not revoked
 */
public record AdminTokenRecord(
    String id,
    String name,
    String role,
    String hash,
    Instant createdAt,
    String createdBy,
    Instant expiresAt,
    Instant revokedAt) {
  @Override
  public String toString() { // the hash stays out of logs too
    return "AdminTokenRecord[id=" + id + ", role=" + role + ", name=" + name + "]";
  }
}
