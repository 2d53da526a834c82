package dev.estuary.agent.store;

import dev.estuary.files.AtomicFiles;
import dev.estuary.pki.KeyPairs;
import dev.estuary.pki.Pem;
import dev.estuary.pki.PkiException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.util.Objects;
import java.util.Optional;

/**
 * Software keys in a keyd-like directory: one PEM PKCS#8 file per id, {@code
 * <dir>/<alnum(id)>-<sha256hex(id)>.key}, mode 0600, in a directory of mode 0700. Files are written
 * atomically (temporary file, fsync, rename, fsync of the directory).
 */
public final class FileKeys implements DeviceKeys {
  static final String KEY_MODE = "rw-------";
  static final String DIR_MODE = "rwx------";

  private final Path dir;
  private final String keyType;
  private final SecureRandom random;

  /**
   * @param dir the key directory; created with mode 0700 when missing
   * @param keyType the type of generated keys, e.g. {@code "ec-p256"} (see {@link KeyPairs})
   */
  public FileKeys(Path dir, String keyType, SecureRandom random) throws IOException {
    this.dir = Objects.requireNonNull(dir, "dir");
    this.keyType = Objects.requireNonNull(keyType, "keyType");
    this.random = Objects.requireNonNull(random, "random");
    PrivateDirectories.ensurePrivate(dir);
  }

  /** The file holding the key under {@code id}. */
  public Path path(String id) {
    return path(dir, id);
  }

  /**
   * The file that holds, or would hold, the key under {@code id} in key directory {@code dir} (for
   * readers that must not create the directory, such as {@code estuary agent check}).
   */
  public static Path path(Path dir, String id) {
    return dir.resolve(StoredNames.of(id) + ".key");
  }

  @Override
  public KeyHandle generate(String id) throws IOException {
    KeyPair pair = KeyPairs.generate(keyType, random);
    AtomicFiles.write(
        path(id), Pem.encode(pair.getPrivate()).getBytes(StandardCharsets.UTF_8), KEY_MODE);
    try {
      return ConfiguredKeys.software(pair.getPrivate());
    } catch (PkiException e) {
      throw new IOException("cannot use the key just generated: " + e.getMessage(), e);
    }
  }

  @Override
  public Optional<KeyHandle> load(String id) throws IOException {
    Path file = path(id);
    if (Files.notExists(file)) {
      return Optional.empty();
    }
    return Optional.of(ConfiguredKeys.readPem(file));
  }

  @Override
  public void move(String from, String to) throws IOException {
    AtomicFiles.rename(path(from), path(to));
  }

  @Override
  public void delete(String id) throws IOException {
    AtomicFiles.delete(path(id));
  }

  @Override
  public boolean exists(String id) {
    return Files.exists(path(id));
  }

  @Override
  public String describe(String id) {
    return path(id).toString();
  }
}
