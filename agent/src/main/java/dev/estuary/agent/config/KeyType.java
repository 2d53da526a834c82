package dev.estuary.agent.config;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/** The kind of key pair the agent generates for the certificates it requests. */
public enum KeyType {
  EC_P256("ec-p256"),
  EC_P384("ec-p384"),
  RSA_2048("rsa-2048"),
  RSA_3072("rsa-3072"),
  RSA_4096("rsa-4096");

  private final String configName;

  KeyType(String configName) {
    this.configName = configName;
  }

  /**
   * The name in the configuration and in {@code dev.estuary.pki.KeyPairs}, e.g. {@code "ec-p256"}.
   */
  public String configName() {
    return configName;
  }

  /** The key type with this configuration name, if any. */
  public static Optional<KeyType> fromConfigName(String name) {
    return Arrays.stream(values()).filter(t -> t.configName.equals(name)).findFirst();
  }

  /** "ec-p256, ec-p384, …", for messages. */
  static String allNames() {
    return Arrays.stream(values()).map(KeyType::configName).collect(Collectors.joining(", "));
  }
}
