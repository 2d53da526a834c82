package dev.estuary.agent.config;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The PKCS#11 module the agent loads, from aziot's {@code [aziot_keys]} table ({@code
 * pkcs11_lib_path}, {@code pkcs11_base_slot}).
 *
 * @param libraryPath the PKCS#11 module, e.g. {@code /usr/lib/softhsm/libsofthsm2.so}
 * @param baseSlot the token new keys are generated in; without it keys are generated in software
 *     and the module serves only keys named by {@code pkcs11:} URIs
 */
public record Pkcs11Settings(Path libraryPath, Optional<Pkcs11Uri> baseSlot) {

  public Pkcs11Settings {
    Objects.requireNonNull(libraryPath, "libraryPath");
    Objects.requireNonNull(baseSlot, "baseSlot");
  }
}
