package dev.estuary.server.store;

import java.time.Instant;

/**
 * A factory bootstrap secret. Only its hash is kept.
 *
 * @param id public identifier, also the first part of the secret text
 * @param hash the encoded PBKDF2 hash (see {@code dev.estuary.server.auth.PasswordHash})
 * @param expiresAt null for no expiry
 * @param usesRemaining null for unlimited
 */
public record BootstrapSecret(
    String id,
    String label,
    String hash,
    Instant createdAt,
    Instant expiresAt,
    Integer usesRemaining,
    boolean disabled) {}
