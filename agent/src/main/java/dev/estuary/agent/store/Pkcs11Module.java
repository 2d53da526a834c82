package dev.estuary.agent.store;

import dev.estuary.agent.config.Pkcs11Settings;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A PKCS#11 module loaded for the agent ({@code [aziot_keys] pkcs11_lib_path}): opens keys named by
 * {@code pkcs11:} URIs, and, with {@code pkcs11_base_slot}, generates the agent's keys inside the
 * token.
 */
public final class Pkcs11Module implements AutoCloseable {
  private Pkcs11Module() {}

  /** Loads the module. */
  public static Pkcs11Module open(Pkcs11Settings settings) throws IOException {
    throw new IOException("PKCS#11 keys are not supported yet (" + settings.libraryPath() + ")");
  }

  /** Whether new keys are generated in the token ({@code pkcs11_base_slot} is set). */
  public boolean generatesKeys() {
    return false;
  }

  /** The agent's keys in the token; {@code dir} holds one pointer file per id. */
  public DeviceKeys keys(Path dir, String keyType) throws IOException {
    throw new IOException("PKCS#11 keys are not supported yet");
  }

  /** Opens {@code pkcs11:} URIs. */
  public KeyUris opener() {
    return uri -> {
      throw new IOException("PKCS#11 keys are not supported yet");
    };
  }

  @Override
  public void close() {}
}
