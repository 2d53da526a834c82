package dev.estuary.agent.store;

import java.io.IOException;
import java.util.Optional;

/**
 * Where the agent keeps the private keys it generates, by id: a keyd-like directory of files, or a
 * PKCS#11 token. Every change is atomic: after a crash an id holds the old key or the new one.
 */
public interface DeviceKeys {

  /** Generates a new key pair under {@code id}, replacing any key there, and returns it. */
  KeyHandle generate(String id) throws IOException;

  /** The key under {@code id}, or empty if there is none. */
  Optional<KeyHandle> load(String id) throws IOException;

  /** Atomically moves the key under {@code from} to {@code to}, replacing what was there. */
  void move(String from, String to) throws IOException;

  /** Removes the key under {@code id}; does nothing if there is none. */
  void delete(String id) throws IOException;

  /** Whether a key exists under {@code id}. */
  boolean exists(String id) throws IOException;

  /** Where the key under {@code id} is, for people: a path or a {@code pkcs11:} URI. */
  String describe(String id);
}
