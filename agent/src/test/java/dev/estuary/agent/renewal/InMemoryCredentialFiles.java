package dev.estuary.agent.renewal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Keys and certificates in maps, with a journal of every change and failures on request. A key is a
 * unique string; a certificate names the key it certifies.
 */
final class InMemoryCredentialFiles implements CredentialFiles<InMemoryCredentialFiles.Cert> {

  /** A certificate for the key whose material is {@code key}. */
  record Cert(String key) {}

  /** The changing operations, where failures can be injected. */
  enum Op {
    GENERATE_KEY,
    WRITE_CERTIFICATE,
    REPLACE_KEY,
    DELETE_KEY
  }

  /** How an injected failure behaves. */
  enum Failure {
    /** Throws {@link IOException} without changing anything. */
    BEFORE_EFFECT,
    /** Makes the change, then throws {@link IOException} (e.g. the directory fsync failed). */
    AFTER_EFFECT
  }

  /** Stands for {@code kill -9}: nothing after it runs, not even cleanup. */
  static final class Killed extends Error {
    private static final long serialVersionUID = 1L;

    Killed(String where) {
      super("killed before " + where);
    }
  }

  private final Map<String, String> keys = new HashMap<>();
  private final Map<String, Cert> certs = new HashMap<>();
  private final List<String> journal = new ArrayList<>();
  private final Map<Op, Failure> failures = new EnumMap<>(Op.class);
  private int generated;
  private int changesBeforeKill = -1;

  /** Starts with a matching key and certificate under {@code id}. */
  static InMemoryCredentialFiles withPair(String id) {
    InMemoryCredentialFiles files = new InMemoryCredentialFiles();
    files.keys.put(id, "key-0");
    files.certs.put(id, new Cert("key-0"));
    return files;
  }

  /** The next {@code op} fails this way (once). */
  void failNext(Op op, Failure failure) {
    failures.put(op, failure);
  }

  /** Lets {@code changes} changes happen, then "kills the process" before the next one. */
  void killAfter(int changes) {
    changesBeforeKill = changes;
  }

  /** Lifts {@link #killAfter} and any pending failures: the process restarted. */
  void restart() {
    changesBeforeKill = -1;
    failures.clear();
  }

  Optional<String> key(String id) {
    return Optional.ofNullable(keys.get(id));
  }

  Optional<Cert> cert(String id) {
    return Optional.ofNullable(certs.get(id));
  }

  List<String> journal() {
    return journal;
  }

  /** Issues a certificate for the key under {@code keyId}, as a CA would; records the request. */
  Cert issueFor(String keyId) throws IOException {
    String key = keys.get(keyId);
    if (key == null) {
      throw new IOException("no key " + keyId);
    }
    journal.add("issue " + keyId);
    return new Cert(key);
  }

  @Override
  public void generateKey(String keyId) throws IOException {
    change(Op.GENERATE_KEY, "generateKey " + keyId, () -> keys.put(keyId, "key-" + ++generated));
  }

  @Override
  public void writeCertificate(String certId, Cert certificate) throws IOException {
    change(
        Op.WRITE_CERTIFICATE, "writeCertificate " + certId, () -> certs.put(certId, certificate));
  }

  @Override
  public void replaceKey(String fromKeyId, String toKeyId) throws IOException {
    change(
        Op.REPLACE_KEY,
        "replaceKey " + fromKeyId + " -> " + toKeyId,
        () -> {
          String key = keys.remove(fromKeyId);
          if (key == null) {
            throw new IllegalStateException("no key " + fromKeyId);
          }
          keys.put(toKeyId, key);
        });
  }

  @Override
  public void deleteKey(String keyId) throws IOException {
    change(Op.DELETE_KEY, "deleteKey " + keyId, () -> keys.remove(keyId));
  }

  @Override
  public boolean keyExists(String keyId) {
    return keys.containsKey(keyId);
  }

  @Override
  public boolean certificateMatchesKey(String certId, String keyId) {
    Cert cert = certs.get(certId);
    return cert != null && Objects.equals(cert.key(), keys.get(keyId));
  }

  private void change(Op op, String entry, Runnable effect) throws IOException {
    if (changesBeforeKill == 0) {
      throw new Killed(entry);
    }
    if (changesBeforeKill > 0) {
      changesBeforeKill--;
    }
    Failure failure = failures.remove(op);
    if (failure == Failure.BEFORE_EFFECT) {
      throw new IOException(entry + " failed");
    }
    effect.run();
    journal.add(entry);
    if (failure == Failure.AFTER_EFFECT) {
      throw new IOException(entry + " landed, then fsync failed");
    }
  }
}
