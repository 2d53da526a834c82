package dev.estuary.agent.store;

import dev.estuary.pki.KeyPairs;
import dev.estuary.pki.Pem;
import dev.estuary.pki.PkiException;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.Locale;
import java.util.Optional;

/**
 * Opens configured keys: {@code file:///} PEM files here, {@code pkcs11:} URIs through the token
 * opener when the agent has a PKCS#11 module.
 */
public final class ConfiguredKeys implements KeyUris {
  private final Optional<KeyUris> tokens;

  /**
   * @param tokens opens {@code pkcs11:} URIs; empty when no PKCS#11 module is configured
   */
  public ConfiguredKeys(Optional<KeyUris> tokens) {
    this.tokens = tokens;
  }

  @Override
  public KeyHandle open(URI uri) throws IOException {
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    return switch (scheme) {
      case "file" -> readPem(Path.of(uri));
      case "pkcs11" ->
          tokens
              .orElseThrow(
                  () ->
                      new IOException(
                          "a pkcs11: key needs a PKCS#11 module ([aziot_keys] pkcs11_lib_path)"))
              .open(uri);
      default -> throw new IOException("unsupported key URI scheme '" + scheme + "'");
    };
  }

  /**
   * A software key with its public half. (JSSE's need for a JDK-form EC key is met where the key
   * reaches JSSE, in {@link dev.estuary.pki.ClientTls}.)
   */
  static KeyHandle software(PrivateKey key) throws PkiException {
    return new KeyHandle(key, KeyPairs.publicKeyOf(key), null);
  }

  /** A PEM private key file (PKCS#8 or a traditional EC/RSA key) with its public half. */
  public static KeyHandle readPem(Path file) throws IOException {
    try {
      return software(Pem.privateKey(Files.readString(file, StandardCharsets.US_ASCII)));
    } catch (PkiException e) {
      throw new IOException(file + ": " + e.getMessage(), e);
    }
  }
}
