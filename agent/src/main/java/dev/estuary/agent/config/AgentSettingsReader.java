package dev.estuary.agent.config;

import dev.estuary.config.Section;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.tomlj.TomlTable;

/** Reads the {@code [estuary]} table and the PKCS#11 keys of aziot's {@code [aziot_keys]}. */
final class AgentSettingsReader {
  static final Set<String> ESTUARY_KEYS = Set.of("state_dir", "key_type", "system_trust_store");
  static final Set<String> AZIOT_KEYS_USED = Set.of("pkcs11_lib_path", "pkcs11_base_slot");

  private AgentSettingsReader() {}

  static AgentSettings read(Section root, Path configDir) {
    Path stateDir = Path.of(AgentSettings.DEFAULT_STATE_DIR);
    KeyType keyType = AgentSettings.DEFAULT_KEY_TYPE;
    boolean systemTrust = false;
    Optional<Section> estuary = root.table("estuary");
    if (estuary.isPresent()) {
      Section s = estuary.get();
      s.checkKeys(ESTUARY_KEYS, Set.of());
      Optional<String> dir = s.nonEmptyString("state_dir");
      if (dir.isPresent()) {
        Path p = configDir.resolve(dir.get()).normalize();
        if (Files.exists(p) && !Files.isDirectory(p)) {
          s.error("state_dir", "'" + dir.get() + "' exists and is not a directory");
        } else {
          stateDir = p;
        }
      }
      Optional<String> type = s.string("key_type");
      if (type.isPresent()) {
        Optional<KeyType> known = KeyType.fromConfigName(type.get());
        if (known.isEmpty()) {
          s.error("key_type", "'" + type.get() + "' is not one of: " + KeyType.allNames());
        } else {
          keyType = known.get();
        }
      }
      systemTrust = s.bool("system_trust_store").orElse(false);
    }
    return new AgentSettings(
        stateDir,
        keyType,
        systemTrust,
        root.table("aziot_keys").flatMap(AgentSettingsReader::pkcs11));
  }

  /** True when the file names a PKCS#11 module (valid or not), so pkcs11: key URIs can be used. */
  static boolean namesPkcs11Module(Section root) {
    Object keys = root.raw("aziot_keys");
    return keys instanceof TomlTable t && t.contains(List.of("pkcs11_lib_path"));
  }

  private static Optional<Pkcs11Settings> pkcs11(Section s) {
    for (String key : s.keys()) {
      if (!AZIOT_KEYS_USED.contains(key)) {
        s.warning(key, AgentConfigParser.NOT_USED);
      }
    }
    Optional<Path> lib =
        s.nonEmptyString("pkcs11_lib_path")
            .flatMap(t -> CredentialFiles.plainFile(s.keyPath("pkcs11_lib_path"), t, s.problems()));
    Optional<Pkcs11Uri> slot = Optional.empty();
    Optional<String> slotText = s.nonEmptyString("pkcs11_base_slot");
    if (slotText.isPresent()) {
      String shown = "'" + Pkcs11Uri.redact(slotText.get()) + "'";
      try {
        Pkcs11Uri uri = Pkcs11Uri.parse(slotText.get());
        if (!uri.namesTokenOrSlot()) {
          s.error(
              "pkcs11_base_slot",
              shown + " names no token or slot; add token=<label> or slot-id=<n>");
        } else {
          slot = Optional.of(uri);
        }
      } catch (IllegalArgumentException e) {
        s.error("pkcs11_base_slot", shown + " is not a valid pkcs11: URI: " + e.getMessage());
      }
      if (!s.has("pkcs11_lib_path")) {
        s.error("pkcs11_base_slot", "needs pkcs11_lib_path (the PKCS#11 module to load)");
      }
    }
    Optional<Pkcs11Uri> baseSlot = slot;
    return lib.map(l -> new Pkcs11Settings(l, baseSlot));
  }
}
