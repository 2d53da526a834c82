package dev.estuary.server.http;

import dev.estuary.server.crypto.NativeCrypto;
import java.security.Provider;

/**
 * The TLS implementations Estuary can run on: the JDK's own (SunJSSE) or Conscrypt's (BoringSSL
 * through a JSSE provider). Conscrypt is registered last, so it serves only where asked by name.
 * {@code auto} is Conscrypt where its native library loads on this machine (the bundled one: Linux
 * x86-64, macOS, Windows) and the TLS key is not on a PKCS#11 token, the JDK's otherwise.
 */
public final class JsseProviders {
  private JsseProviders() {}

  /**
   * The provider {@code configured} means here: "jdk" or "conscrypt" as they are; "auto" as {@link
   * JsseProviders} says.
   *
   * @param tlsKeyOnToken whether the TLS key is on a PKCS#11 token (Conscrypt cannot sign with it)
   */
  public static String resolve(String configured, boolean tlsKeyOnToken) {
    if (!configured.equals("auto")) {
      return configured;
    }
    return !tlsKeyOnToken && NativeCrypto.available() ? "conscrypt" : "jdk";
  }

  /**
   * @param name "jdk" or "conscrypt" (resolve "auto" first)
   * @return the provider to ask for by name, or null for the JDK's default
   */
  public static Provider named(String name) {
    return switch (name) {
      case "jdk" -> null;
      case "conscrypt" -> NativeCrypto.provider();
      default ->
          throw new IllegalArgumentException(
              "unknown TLS provider '" + name + "' (known: jdk, conscrypt)");
    };
  }
}
