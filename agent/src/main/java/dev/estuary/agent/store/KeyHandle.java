package dev.estuary.agent.store;

import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.util.Objects;

/**
 * A key pair the agent can sign with: a software key read from a file, or a handle to a key that
 * never leaves a PKCS#11 token.
 *
 * @param privateKey the private key (or the token's handle to it)
 * @param publicKey its public half
 * @param provider the provider that must sign with {@code privateKey} (the token's), or null for
 *     any
 */
public record KeyHandle(PrivateKey privateKey, PublicKey publicKey, Provider provider) {
  public KeyHandle {
    Objects.requireNonNull(privateKey, "privateKey");
    Objects.requireNonNull(publicKey, "publicKey");
  }

  @Override
  public String toString() {
    return "KeyHandle["
        + publicKey.getAlgorithm()
        + (provider == null ? "" : " in " + provider.getName())
        + "]";
  }
}
