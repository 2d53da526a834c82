package dev.estuary.server.crypto;

import java.security.Provider;
import java.security.Security;
import org.conscrypt.Conscrypt;

/**
 * Conscrypt: BoringSSL through a JCA provider, for TLS ({@code [tls] provider}) and for the
 * enrollment path's signatures ({@code [keys] signatures}). Registered once and last, so it serves
 * only where asked by name. Its bundled native library loads on Linux x86-64, macOS x86-64 and
 * Windows; elsewhere (an ARM board) {@link #available()} is false.
 */
public final class NativeCrypto {
  private NativeCrypto() {}

  /** Whether Conscrypt's native library loads on this machine. */
  public static boolean available() {
    return Conscrypt.isAvailable();
  }

  /** The Conscrypt provider, registered with the JCA on the first call. */
  public static synchronized Provider provider() {
    Provider p = Security.getProvider("Conscrypt");
    if (p == null) {
      p = Conscrypt.newProvider();
      Security.addProvider(p);
    }
    return p;
  }
}
