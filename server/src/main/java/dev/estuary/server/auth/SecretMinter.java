package dev.estuary.server.auth;

import dev.estuary.server.audit.Actors;
import dev.estuary.server.store.BasicUser;
import dev.estuary.server.store.BootstrapSecret;
import dev.estuary.server.store.CredentialStore;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;

/**
 * Creates credentials: bootstrap secrets ({@code <id>.<32 random characters>}, about 190 bits),
 * Basic passwords and admin tokens. The plain text is returned once and only its hash is stored.
 */
public final class SecretMinter {
  private static final char[] ALPHABET =
      "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789".toCharArray();
  private static final char[] ID_ALPHABET = "abcdefghijkmnopqrstuvwxyz23456789".toCharArray();

  private final CredentialStore store;
  private final SecureRandom random;
  private final Clock clock;

  public SecretMinter(CredentialStore store, SecureRandom random, Clock clock) {
    this.store = store;
    this.random = random;
    this.clock = clock;
  }

  /** A new secret as shown once to the operator, with what was stored. */
  public record MintedSecret(String value, BootstrapSecret stored) {
    @Override
    public String toString() {
      return "MintedSecret[id=" + stored.id() + "]";
    }
  }

  /**
   * @param uses null for unlimited
   * @param expiresAt null for never
   */
  public MintedSecret bootstrapSecret(String label, Integer uses, Instant expiresAt) {
    return bootstrapSecret(label, uses, expiresAt, Actors.SYSTEM);
  }

  /**
   * @param actor who creates it, for the audit log (see {@code Actors})
   */
  public MintedSecret bootstrapSecret(String label, Integer uses, Instant expiresAt, String actor) {
    if (uses != null && uses < 1) {
      throw new IllegalArgumentException("uses must be at least 1, was " + uses);
    }
    String id = random(ID_ALPHABET, 10);
    String value = id + "." + random(ALPHABET, 32);
    BootstrapSecret s =
        new BootstrapSecret(
            id, label, PasswordHash.hash(value, random), clock.instant(), expiresAt, uses, false);
    store.createSecret(s, actor);
    return new MintedSecret(value, s);
  }

  /** Creates or replaces a Basic user; returns the new password. */
  public String basicUser(String username, String label) {
    return basicUser(username, label, Actors.SYSTEM);
  }

  /** Creates or replaces a Basic user on behalf of {@code actor}; returns the new password. */
  public String basicUser(String username, String label, String actor) {
    String password = random(ALPHABET, 24);
    store.putBasicUser(
        new BasicUser(username, label, PasswordHash.hash(password, random), false), actor);
    return password;
  }

  /** A random token of {@code length} characters (admin tokens, keystore passphrases). */
  public static String token(SecureRandom random, int length) {
    return randomFrom(random, ALPHABET, length);
  }

  private String random(char[] alphabet, int n) {
    return randomFrom(random, alphabet, n);
  }

  private static String randomFrom(SecureRandom random, char[] alphabet, int n) {
    char[] out = new char[n];
    for (int i = 0; i < n; i++) {
      out[i] = alphabet[random.nextInt(alphabet.length)];
    }
    return new String(out);
  }
}
