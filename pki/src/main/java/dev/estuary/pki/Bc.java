package dev.estuary.pki;

import java.security.Provider;
import java.security.Security;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/** The Bouncy Castle provider, registered once; the pki core signs and verifies with it. */
public final class Bc {
  private static final Provider PROVIDER = register();

  private Bc() {}

  public static Provider provider() {
    return PROVIDER;
  }

  private static Provider register() {
    Provider existing = Security.getProvider(BouncyCastleProvider.PROVIDER_NAME);
    if (existing != null) {
      return existing;
    }
    Provider bc = new BouncyCastleProvider();
    Security.addProvider(bc);
    return bc;
  }
}
