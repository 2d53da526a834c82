package dev.estuary.cli.factory;

import dev.estuary.agent.config.Pkcs11Settings;
import dev.estuary.agent.config.Pkcs11Uri;
import dev.estuary.agent.store.KeyHandle;
import dev.estuary.agent.store.Pkcs11Module;
import dev.estuary.files.AtomicFiles;
import dev.estuary.pki.KeyPairs;
import dev.estuary.pki.Pem;
import dev.estuary.pki.PkiException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.util.Optional;

/**
 * Where the devices' keys are made and how a device's directory names its key: software keys
 * written as {@code IDevID.key.pem} (0600), or keys generated inside a PKCS#11 token, labelled with
 * the device id and named by {@code IDevID.key.uri} (a {@code pkcs11:} URI without PIN).
 */
interface IdevidKeys extends AutoCloseable {

  /** The file in a device's directory that holds or names its key. */
  String file();

  /** A new key for device {@code id}, replacing one it had. */
  KeyHandle make(String id, String keyType) throws IOException, PkiException;

  /** Writes the file that holds or names {@code key} into {@code dir}, atomically. */
  void write(String id, Path dir, KeyHandle key) throws IOException;

  /**
   * The public key of the key {@code dir} holds or names for device {@code id}.
   *
   * @throws PkiException naming what is missing or wrong
   */
  PublicKey existing(String id, Path dir) throws IOException, PkiException;

  @Override
  void close();

  /** Software keys, written as PEM (PKCS#8) files. */
  static IdevidKeys software(SecureRandom random) {
    return new IdevidKeys() {
      @Override
      public String file() {
        return Device.KEY;
      }

      @Override
      public KeyHandle make(String id, String keyType) throws PkiException {
        KeyPair pair = KeyPairs.generate(keyType, random);
        return new KeyHandle(pair.getPrivate(), pair.getPublic(), null);
      }

      @Override
      public void write(String id, Path dir, KeyHandle key) throws IOException {
        AtomicFiles.write(
            dir.resolve(Device.KEY),
            Pem.encode(key.privateKey()).getBytes(StandardCharsets.US_ASCII),
            "rw-------");
      }

      @Override
      public PublicKey existing(String id, Path dir) throws IOException, PkiException {
        Path keyFile = dir.resolve(Device.KEY);
        if (!Files.exists(keyFile)) {
          throw new PkiException("no " + Device.KEY);
        }
        PrivateKey key = Pem.privateKey(Files.readString(keyFile, StandardCharsets.US_ASCII));
        return KeyPairs.publicKeyOf(key);
      }

      @Override
      public void close() {}
    };
  }

  /**
   * Keys inside the token {@code uri} names ({@code module-path} names the PKCS#11 module; {@code
   * pin-value} or {@code pin-source} the PIN).
   *
   * @throws IOException naming what is wrong: no module, no such token, a wrong PIN
   */
  static IdevidKeys token(String uri) throws IOException {
    Pkcs11Uri slot;
    try {
      slot = Pkcs11Uri.parse(uri);
    } catch (IllegalArgumentException e) {
      throw new IOException(
          "'" + Pkcs11Uri.redact(uri) + "' is not a pkcs11: URI: " + e.getMessage(), e);
    }
    if (slot.namesObject()) {
      throw new IOException(
          Pkcs11Uri.redact(uri)
              + " names an object; name only the token (each key's label is its device id)");
    }
    Optional<byte[]> module = slot.decoded("module-path");
    if (module.isEmpty()) {
      throw new IOException(
          Pkcs11Uri.redact(uri)
              + " names no PKCS#11 module: add ?module-path=<library>, e.g."
              + " module-path=/usr/lib/softhsm/libsofthsm2.so");
    }
    Pkcs11Module tokens =
        Pkcs11Module.open(
            new Pkcs11Settings(
                Path.of(new String(module.get(), StandardCharsets.UTF_8)), Optional.of(slot)));
    return new IdevidKeys() {
      @Override
      public String file() {
        return Device.KEY_URI;
      }

      @Override
      public KeyHandle make(String id, String keyType) throws IOException {
        return tokens.generate(id, keyType);
      }

      @Override
      public void write(String id, Path dir, KeyHandle key) throws IOException {
        AtomicFiles.write(
            dir.resolve(Device.KEY_URI),
            (tokens.pointer(id) + "\n").getBytes(StandardCharsets.US_ASCII),
            "rw-r--r--");
      }

      @Override
      public PublicKey existing(String id, Path dir) throws IOException, PkiException {
        Path pointer = dir.resolve(Device.KEY_URI);
        if (!Files.exists(pointer)) {
          throw new PkiException("no " + Device.KEY_URI);
        }
        String named = Files.readString(pointer, StandardCharsets.US_ASCII).strip();
        if (!named.equals(tokens.pointer(id))) {
          throw new PkiException(
              Device.KEY_URI + " names '" + named + "', not " + tokens.pointer(id));
        }
        return tokens
            .find(id)
            .orElseThrow(() -> new PkiException("the token holds no key '" + id + "'"))
            .publicKey();
      }

      @Override
      public void close() {
        tokens.close();
      }
    };
  }
}
