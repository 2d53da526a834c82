package dev.estuary.agent.store;

import dev.estuary.agent.config.Pkcs11Uri;
import dev.estuary.files.AtomicFiles;
import dev.estuary.pki.Thumbprints;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's keys inside a PKCS#11 token, named through pointer files. The key directory keeps one
 * small file per id, named as {@link FileKeys} names key files ({@code
 * <alnum(id)>-<sha256hex(id)>.key}, 0600, directory 0700), holding a {@code pkcs11:} URI without
 * PIN: {@code pkcs11:token=edge;object=estuary-<dir tag>-<random>}. The token object's label is
 * random, so an id can be re-pointed by renaming a file:
 *
 * <ul>
 *   <li>{@code generate}: new key in the token, then the pointer (atomic write), then the key the
 *       id named before is destroyed;
 *   <li>{@code move}: atomic rename of the pointer, then the replaced key is destroyed;
 *   <li>{@code delete}: the pointer goes first, then the token object.
 * </ul>
 *
 * After a crash an id names the old key or the new one, never a missing one; what a crash can leave
 * is an unreferenced token object, harmless, and destroyed the next time the keys are opened (only
 * objects labelled with this directory's tag, so agents sharing a token never touch each other's
 * keys).
 */
final class TokenKeys implements DeviceKeys {
  private static final Logger log = LoggerFactory.getLogger(TokenKeys.class);
  private static final String LABEL_PREFIX = "estuary-";

  private final Path dir;
  private final Pkcs11Token token;
  private final Pkcs11Uri slot;
  private final String keyType;
  private final String labelPrefix;
  private final SecureRandom random = new SecureRandom();

  /**
   * @param dir the pointer directory; created with mode 0700 when missing
   * @param token the token keys are generated in
   * @param slot the {@code pkcs11_base_slot} URI naming that token (pointers repeat its token
   *     attributes)
   * @param keyType the type of generated keys, e.g. {@code "ec-p256"}
   */
  TokenKeys(Path dir, Pkcs11Token token, Pkcs11Uri slot, String keyType) throws IOException {
    this.dir = Objects.requireNonNull(dir, "dir");
    this.token = Objects.requireNonNull(token, "token");
    this.slot = Objects.requireNonNull(slot, "slot");
    this.keyType = Objects.requireNonNull(keyType, "keyType");
    PrivateDirectories.ensurePrivate(dir);
    String dirTag =
        Thumbprints.sha256(
                dir.toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8))
            .substring(0, 8);
    this.labelPrefix = LABEL_PREFIX + dirTag + "-";
  }

  /** The pointer file of the key under {@code id}. */
  Path path(String id) {
    return FileKeys.path(dir, id);
  }

  @Override
  public KeyHandle generate(String id) throws IOException {
    Optional<String> old = label(id);
    String label = labelPrefix + HexFormat.of().formatHex(randomBytes(8));
    KeyHandle key = token.generate(label, keyType);
    AtomicFiles.write(
        path(id), (pointer(label) + "\n").getBytes(StandardCharsets.UTF_8), FileKeys.KEY_MODE);
    old.ifPresent(this::destroyQuietly);
    return key;
  }

  private byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  @Override
  public Optional<KeyHandle> load(String id) throws IOException {
    Optional<String> label = label(id);
    if (label.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        token
            .find(label.get())
            .orElseThrow(
                () ->
                    new IOException(
                        path(id)
                            + " names key '"
                            + label.get()
                            + "', which "
                            + token
                            + " does not hold")));
  }

  @Override
  public void move(String from, String to) throws IOException {
    Optional<String> moved = label(from);
    if (moved.isEmpty()) {
      throw new IOException("no key '" + from + "' to move (" + path(from) + " is missing)");
    }
    Optional<String> replaced = label(to);
    AtomicFiles.rename(path(from), path(to));
    replaced.filter(l -> !l.equals(moved.get())).ifPresent(this::destroyQuietly);
  }

  @Override
  public void delete(String id) throws IOException {
    Optional<String> label = label(id);
    if (label.isEmpty()) {
      return;
    }
    AtomicFiles.delete(path(id));
    token.destroy(label.get());
  }

  @Override
  public boolean exists(String id) {
    return Files.exists(path(id));
  }

  @Override
  public String describe(String id) {
    try {
      return label(id).map(this::pointer).orElse(path(id).toString());
    } catch (IOException e) {
      return path(id) + " (" + e.getMessage() + ")";
    }
  }

  /**
   * Destroys this directory's token objects that no pointer names (left by a crash between creating
   * a key and writing its pointer, or between re-pointing an id and destroying the old key).
   *
   * @return the labels destroyed
   */
  Set<String> destroyUnreferenced() throws IOException {
    Set<String> referenced = new HashSet<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.key")) {
      for (Path file : files) {
        referenced.add(labelIn(file));
      }
    }
    Set<String> stale =
        token.labels().stream()
            .filter(l -> l.startsWith(labelPrefix) && !referenced.contains(l))
            .collect(Collectors.toCollection(TreeSet::new));
    for (String label : stale) {
      token.destroy(label);
      log.info(
          "destroyed the unreferenced key '{}' in {} (left by an interrupted key change)",
          label,
          token);
    }
    return stale;
  }

  private void destroyQuietly(String label) {
    try {
      token.destroy(label);
    } catch (IOException e) {
      log.warn(
          "the replaced key '{}' stays in {} until the next start: {}",
          label,
          token,
          e.getMessage());
    }
  }

  /** The token object label the pointer of {@code id} names, if there is a pointer. */
  private Optional<String> label(String id) throws IOException {
    Path file = path(id);
    return Files.exists(file) ? Optional.of(labelIn(file)) : Optional.empty();
  }

  private String labelIn(Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.UTF_8).strip();
    Pkcs11Uri uri;
    try {
      uri = Pkcs11Uri.parse(text);
    } catch (IllegalArgumentException e) {
      throw new IOException(file + " is not a key pointer: " + e.getMessage(), e);
    }
    Optional<byte[]> object = uri.decoded("object");
    if (object.isEmpty()) {
      throw new IOException(file + " is not a key pointer: '" + uri + "' names no object");
    }
    Map<String, String> expected = tokenAttributes(slot);
    if (!tokenAttributes(uri).equals(expected)) {
      throw new IOException(
          file
              + " names a key in another token ("
              + uri
              + ") than pkcs11_base_slot ("
              + slot
              + ")");
    }
    return new String(object.get(), StandardCharsets.UTF_8);
  }

  private String pointer(String label) {
    return pointer(slot, label);
  }

  /** {@code pkcs11:<slot's token attributes>;object=<label>}: no PIN, no module. */
  static String pointer(Pkcs11Uri slot, String label) {
    StringBuilder uri = new StringBuilder("pkcs11:");
    tokenAttributes(slot)
        .forEach((name, value) -> uri.append(name).append('=').append(value).append(';'));
    return uri.append("object=").append(label).toString();
  }

  /** The path attributes that name the token or slot (not the object). */
  private static Map<String, String> tokenAttributes(Pkcs11Uri uri) {
    return uri.pathAttributes().entrySet().stream()
        .filter(e -> !Set.of("object", "id", "type").contains(e.getKey()))
        .collect(
            Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, TreeMap::new));
  }
}
