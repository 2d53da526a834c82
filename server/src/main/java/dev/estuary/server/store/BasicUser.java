package dev.estuary.server.store;

/**
 * An HTTP Basic identity for EST.
 *
 * @param label the label it may use, or "*" for every label with Basic enabled
 * @param hash the encoded PBKDF2 hash of the password
 */
public record BasicUser(String username, String label, String hash, boolean disabled) {}
