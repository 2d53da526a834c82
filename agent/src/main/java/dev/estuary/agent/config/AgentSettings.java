package dev.estuary.agent.config;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Settings of the agent itself: the {@code [estuary]} table (which aziot does not have) and the
 * PKCS#11 part of aziot's {@code [aziot_keys]}.
 *
 * @param stateDir where the agent keeps its keys, certificates, state file and effective
 *     configuration ({@code state_dir}, default {@value #DEFAULT_STATE_DIR})
 * @param keyType the kind of key pair generated for each request ({@code key_type}, default {@code
 *     "ec-p256"})
 * @param systemTrustStore whether the JDK's trusted roots are trusted for the EST server besides
 *     {@code trusted_certs} ({@code system_trust_store}, default false)
 * @param pkcs11 the PKCS#11 module, when {@code [aziot_keys] pkcs11_lib_path} is set
 */
public record AgentSettings(
    Path stateDir, KeyType keyType, boolean systemTrustStore, Optional<Pkcs11Settings> pkcs11) {

  /** The state directory when {@code state_dir} is not set. */
  public static final String DEFAULT_STATE_DIR = "/var/lib/estuary";

  /** The key type when {@code key_type} is not set. */
  public static final KeyType DEFAULT_KEY_TYPE = KeyType.EC_P256;

  public AgentSettings {
    Objects.requireNonNull(stateDir, "stateDir");
    Objects.requireNonNull(keyType, "keyType");
    Objects.requireNonNull(pkcs11, "pkcs11");
  }

  /** These settings with another state directory (the command line's {@code --state-dir}). */
  public AgentSettings withStateDir(Path dir) {
    return new AgentSettings(dir, keyType, systemTrustStore, pkcs11);
  }
}
