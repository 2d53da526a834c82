package dev.estuary.server.http;

import java.security.Provider;
import java.security.Security;
import org.conscrypt.Conscrypt;

/**
 * The TLS implementations Estuary can run on: the JDK's own (SunJSSE) or Conscrypt's (BoringSSL
 * through a JSSE provider). Conscrypt is registered last, so it serves only where asked by name.
 */
public final class JsseProviders {
  private JsseProviders() {}

  /**
   * @param name "jdk" or "conscrypt"
   * @return the provider to ask for by name, or null for the JDK's default
   */
  public static synchronized Provider named(String name) {
    return switch (name) {
      case "jdk" -> null;
      case "conscrypt" -> {
        Provider p = Security.getProvider("Conscrypt");
        if (p == null) {
          p = Conscrypt.newProvider();
          Security.addProvider(p);
        }
        yield p;
      }
      default ->
          throw new IllegalArgumentException(
              "unknown TLS provider '" + name + "' (known: jdk, conscrypt)");
    };
  }
}
