package dev.estuary.server.crypto;

import dev.estuary.pki.SignatureEngine;

/**
 * What {@code [keys] signatures} means on this machine: {@code bouncycastle} or {@code conscrypt}
 * as they are; {@code auto} (the default) Conscrypt where its native library loads, Bouncy Castle
 * elsewhere. A CA key on a PKCS#11 token signs on its token whatever this says; CSR signatures are
 * verified by the engine either way.
 */
public final class SignatureEngines {
  private SignatureEngines() {}

  /**
   * @param configured {@code auto}, {@code bouncycastle} or {@code conscrypt}
   */
  public static SignatureEngine of(String configured) {
    return switch (configured) {
      case "bouncycastle" -> SignatureEngine.BOUNCY_CASTLE;
      case "conscrypt" -> SignatureEngine.preferring("conscrypt", NativeCrypto.provider());
      case "auto" -> NativeCrypto.available() ? of("conscrypt") : SignatureEngine.BOUNCY_CASTLE;
      default ->
          throw new IllegalArgumentException(
              "unknown signature engine '"
                  + configured
                  + "' (known: auto, bouncycastle, conscrypt)");
    };
  }
}
