package dev.estuary.agent.store;

import dev.estuary.agent.config.Pkcs11Settings;
import dev.estuary.agent.config.Pkcs11Uri;
import dev.estuary.pkcs11.TokenInfo;
import dev.estuary.pkcs11.TokenSlots;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PKCS#11 module loaded for the agent ({@code [aziot_keys] pkcs11_lib_path}) through SunPKCS11:
 * opens keys named by {@code pkcs11:} URIs ({@link #opener()}), and, with {@code pkcs11_base_slot},
 * generates the agent's keys inside that token ({@link #keys}).
 *
 * <p>Tokens are found by the URI's {@code token}, {@code serial}, {@code manufacturer}, {@code
 * model} and {@code slot-id} attributes; each token is logged in once, with the PIN of the first
 * URI that opens it ({@code pin-value}, or {@code pin-source} naming a file), and stays logged in
 * until {@link #close()}.
 */
public final class Pkcs11Module implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Pkcs11Module.class);
  private static final List<String> TOKEN_ATTRIBUTES =
      List.of("token", "serial", "manufacturer", "model", "slot-id");

  private final Path library;
  private final List<TokenInfo> tokens;
  private final Optional<Pkcs11Uri> baseSlot;
  private final Map<Long, Pkcs11Token> open = new LinkedHashMap<>();

  private Pkcs11Module(Path library, List<TokenInfo> tokens, Optional<Pkcs11Uri> baseSlot) {
    this.library = library;
    this.tokens = tokens;
    this.baseSlot = baseSlot;
  }

  /**
   * Loads the module, lists its tokens and, with a base slot, logs in to that token.
   *
   * @throws IOException naming what is wrong: a missing module, an unknown token, a missing or
   *     wrong PIN
   */
  public static Pkcs11Module open(Pkcs11Settings settings) throws IOException {
    Path library = settings.libraryPath();
    if (!Files.isReadable(library)) {
      throw new IOException(
          "PKCS#11 module " + library + " is missing or not readable (pkcs11_lib_path)");
    }
    List<TokenInfo> tokens;
    try {
      tokens = TokenSlots.list(library);
    } catch (GeneralSecurityException e) {
      throw new IOException(e.getMessage(), e);
    }
    Pkcs11Module module = new Pkcs11Module(library, tokens, settings.baseSlot());
    try {
      if (settings.baseSlot().isPresent()) {
        Pkcs11Token base = module.token(settings.baseSlot().get(), "pkcs11_base_slot");
        log.info("keys are generated in {} of {}", base, library);
      }
      return module;
    } catch (IOException | RuntimeException e) {
      module.close();
      throw e;
    }
  }

  /** Whether new keys are generated in the token ({@code pkcs11_base_slot} is set). */
  public boolean generatesKeys() {
    return baseSlot.isPresent();
  }

  /**
   * The agent's keys in the base slot's token; {@code dir} holds one pointer file per id. Token
   * objects of this directory that no pointer names (an interrupted key change) are destroyed.
   *
   * @throws IllegalStateException without a base slot
   */
  public DeviceKeys keys(Path dir, String keyType) throws IOException {
    Pkcs11Uri slot =
        baseSlot.orElseThrow(
            () -> new IllegalStateException("no pkcs11_base_slot: keys are generated in software"));
    TokenKeys keys = new TokenKeys(dir, token(slot, "pkcs11_base_slot"), slot, keyType);
    keys.destroyUnreferenced();
    return keys;
  }

  /**
   * Generates a key of {@code keyType} inside the base slot's token under {@code label} (private,
   * sensitive, not extractable), destroying a key that had that label first: the factory's keys,
   * labelled with the device id, where a device made again gets a new key.
   *
   * @throws IllegalStateException without a base slot
   */
  public KeyHandle generate(String label, String keyType) throws IOException {
    Pkcs11Token token = baseToken();
    token.destroy(label);
    return token.generate(label, keyType);
  }

  /** The key the base slot's token holds under {@code label}, if any. */
  public Optional<KeyHandle> find(String label) throws IOException {
    return baseToken().find(label);
  }

  /**
   * A {@code pkcs11:} URI naming the key {@code label} in the base slot's token, without a PIN or a
   * module path: what a device's configuration names as its key ({@code identity_pk}).
   */
  public String pointer(String label) {
    return TokenKeys.pointer(baseSlot.orElseThrow(() -> noBaseSlot()), label);
  }

  private Pkcs11Token baseToken() throws IOException {
    return token(baseSlot.orElseThrow(() -> noBaseSlot()), "pkcs11_base_slot");
  }

  private static IllegalStateException noBaseSlot() {
    return new IllegalStateException("no pkcs11_base_slot: keys are generated in software");
  }

  /** Opens {@code pkcs11:} URIs naming a private key by {@code object} (its label). */
  public KeyUris opener() {
    return this::openKey;
  }

  private KeyHandle openKey(URI uri) throws IOException {
    Pkcs11Uri key;
    try {
      key = Pkcs11Uri.parse(uri.toString());
    } catch (IllegalArgumentException e) {
      throw new IOException(
          "'"
              + Pkcs11Uri.redact(uri.toString())
              + "' is not a valid pkcs11: URI: "
              + e.getMessage(),
          e);
    }
    Optional<String> type = key.attribute("type");
    if (type.isPresent() && !type.get().equals("private")) {
      throw new IOException(key + " names a " + type.get() + " object, not a private key");
    }
    Optional<byte[]> object = key.decoded("object");
    if (object.isEmpty()) {
      throw new IOException(
          key + " names no key label: SunPKCS11 finds keys by label, add object=<label>");
    }
    String label = new String(object.get(), StandardCharsets.UTF_8);
    Pkcs11Token token = token(key, key.toString());
    Optional<KeyHandle> found = token.find(label);
    if (found.isEmpty()) {
      throw new IOException(
          "no usable private key '"
              + label
              + "' in "
              + token
              + " (key entries: "
              + String.join(", ", labelsOf(token))
              + "). "
              + "SunPKCS11 sees a private key only through a certificate object with the same CKA_ID "
              + "and the label '"
              + label
              + "': store the key's certificate in the token that way");
    }
    return found.get();
  }

  private static List<String> labelsOf(Pkcs11Token token) throws IOException {
    List<String> labels = token.labels();
    return labels.isEmpty() ? List.of("none") : labels.stream().map(l -> "'" + l + "'").toList();
  }

  /** The token {@code uri} names, logged in (with the URI's PIN the first time). */
  private synchronized Pkcs11Token token(Pkcs11Uri uri, String what) throws IOException {
    Optional<byte[]> modulePath = uri.decoded("module-path");
    if (modulePath.isPresent()
        && !Path.of(new String(modulePath.get(), StandardCharsets.UTF_8)).equals(library)) {
      throw new IOException(
          what
              + ": module-path names another PKCS#11 module than "
              + library
              + " (pkcs11_lib_path)");
    }
    TokenInfo info = select(uri, what);
    Pkcs11Token token = open.get(info.slotId());
    if (token != null) {
      return token;
    }
    char[] pin =
        Pkcs11Pin.of(uri)
            .orElseThrow(
                () ->
                    new IOException(
                        what
                            + ": token '"
                            + info.label()
                            + "' needs its PIN: add ?pin-value=… or ?pin-source=file:…"));
    try {
      token = Pkcs11Token.open(library, info, pin);
    } finally {
      Arrays.fill(pin, '\0');
    }
    open.put(info.slotId(), token);
    return token;
  }

  private TokenInfo select(Pkcs11Uri uri, String what) throws IOException {
    List<TokenInfo> matching = tokens.stream().filter(t -> matches(uri, t)).toList();
    if (matching.size() == 1) {
      return matching.get(0);
    }
    String named =
        String.join(
            ";",
            TOKEN_ATTRIBUTES.stream()
                .filter(a -> uri.attribute(a).isPresent())
                .map(a -> a + "=" + uri.attribute(a).get())
                .toList());
    if (matching.isEmpty()) {
      throw new IOException(
          what
              + ": no token "
              + (named.isEmpty() ? "" : "'" + named + "' ")
              + "in "
              + library
              + " (tokens: "
              + TokenSlots.labels(tokens)
              + ")");
    }
    throw new IOException(
        what
            + ": "
            + matching.size()
            + " tokens in "
            + library
            + " match ("
            + TokenSlots.labels(matching)
            + "); name one with token=<label>");
  }

  private static boolean matches(Pkcs11Uri uri, TokenInfo token) {
    return is(uri, "token", token.label())
        && is(uri, "serial", token.serial())
        && is(uri, "manufacturer", token.manufacturer())
        && is(uri, "model", token.model())
        && is(uri, "slot-id", Long.toString(token.slotId()));
  }

  private static boolean is(Pkcs11Uri uri, String attribute, String value) {
    return uri.decoded(attribute)
        .map(v -> new String(v, StandardCharsets.UTF_8).equals(value))
        .orElse(true);
  }

  /** Logs out of every token and unregisters their providers. */
  @Override
  public synchronized void close() {
    open.values().forEach(Pkcs11Token::close);
    open.clear();
  }
}
