package dev.estuary.agent.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.estuary.agent.config.Pkcs11Settings;
import dev.estuary.agent.config.Pkcs11Uri;
import dev.estuary.pki.Csr;
import dev.estuary.pki.CsrBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.security.interfaces.ECKey;
import java.security.interfaces.RSAKey;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's keys generated inside a real SoftHSM2 token ({@code pkcs11_base_slot}), named by
 * pointer files: not extractable, found again by a new module (a restart), moved by renaming a
 * pointer, destroyed in the token when replaced or deleted.
 */
class TokenKeysTest {
  private static final Pkcs11Settings SETTINGS =
      new Pkcs11Settings(
          SoftHsm.MODULE,
          Optional.of(
              Pkcs11Uri.parse(
                  "pkcs11:token=" + SoftHsm.AGENT + "?pin-value=" + SoftHsm.AGENT_PIN)));

  private static SoftHsm hsm;

  @TempDir Path state;
  private Path dir;
  private Pkcs11Module module;

  @BeforeAll
  static void token() throws Exception {
    hsm = SoftHsm.get();
  }

  @BeforeEach
  void openModule() throws Exception {
    dir = state.resolve("keys");
    module = Pkcs11Module.open(SETTINGS);
  }

  @AfterEach
  void closeModule() {
    module.close();
  }

  @Test
  void generatesAnEcP256KeyInsideTheTokenThatCannotBeExtracted() throws Exception {
    long before = hsm.storedObjects();
    KeyHandle key = module.keys(dir, "ec-p256").generate("device-id");

    assertThat(key.privateKey().getEncoded())
        .as("a token key has no encoding outside the token")
        .isNull();
    // SunPKCS11 reads CKA_TOKEN, CKA_SENSITIVE and CKA_EXTRACTABLE from the token and shows them
    // here.
    assertThat(key.privateKey().toString()).contains("token object", "sensitive", "unextractable");
    assertThat(key.provider()).isNotNull();
    assertThat(key.provider().getName()).startsWith("SunPKCS11-estuary-agent-");
    assertThat(((ECKey) key.publicKey()).getParams().getCurve().getField().getFieldSize())
        .isEqualTo(256);
    assertThat(hsm.storedObjects() - before)
        .as("the private key and its certificate object are stored in the token")
        .isEqualTo(2);
  }

  @Test
  void keepsAPointerWithoutPinInAPrivateFileNamedLikeAKeyFile() throws Exception {
    TokenKeys keys = (TokenKeys) module.keys(dir, "ec-p256");
    keys.generate("device-id");

    Path pointer = keys.path("device-id");
    assertThat(pointer)
        .isEqualTo(new FileKeys(dir, "ec-p256", new SecureRandom()).path("device-id"));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(pointer)))
        .isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)))
        .isEqualTo("rwx------");
    String content = Files.readString(pointer).strip();
    assertThat(content)
        .matches("pkcs11:token=agent;object=estuary-[0-9a-f]{8}-[0-9a-f]{16}")
        .doesNotContain(SoftHsm.AGENT_PIN);
    assertThat(keys.describe("device-id")).isEqualTo(content);
  }

  @Test
  void generatesRsaKeysWhenConfigured() throws Exception {
    KeyHandle key = module.keys(dir, "rsa-2048").generate("edge-ca");

    assertThat(((RSAKey) key.publicKey()).getModulus().bitLength()).isEqualTo(2048);
    assertThat(key.privateKey().getEncoded()).isNull();
    Csr.parse(
        CsrBuilder.build(
            "edge", CsrBuilder.Kind.EDGE_CA, key.publicKey(), key.privateKey(), key.provider()));
  }

  @Test
  void findsTheKeyAgainAfterARestart() throws Exception {
    KeyHandle generated = module.keys(dir, "ec-p256").generate("device-id");
    module.close();

    module = Pkcs11Module.open(SETTINGS);
    Optional<KeyHandle> loaded = module.keys(dir, "ec-p256").load("device-id");

    assertThat(loaded).isPresent();
    assertThat(loaded.get().publicKey().getEncoded()).isEqualTo(generated.publicKey().getEncoded());
    assertThat(loaded.get().privateKey().getEncoded()).isNull();
    Csr csr =
        Csr.parse(
            CsrBuilder.build(
                "my-device",
                CsrBuilder.Kind.CLIENT_IDENTITY,
                loaded.get().publicKey(),
                loaded.get().privateKey(),
                loaded.get().provider()));
    assertThat(csr.publicKeyInfo().getEncoded()).isEqualTo(generated.publicKey().getEncoded());
  }

  @Test
  void movesAKeyByRenamingItsPointerAndDestroysTheKeyItReplaces() throws Exception {
    DeviceKeys keys = module.keys(dir, "ec-p256");
    keys.generate("device-id");
    long withOldKey = hsm.storedObjects();
    KeyHandle rotated = keys.generate("device-id-temp");

    keys.move("device-id-temp", "device-id");

    assertThat(keys.exists("device-id-temp")).isFalse();
    assertThat(keys.load("device-id").orElseThrow().publicKey().getEncoded())
        .isEqualTo(rotated.publicKey().getEncoded());
    assertThat(hsm.storedObjects())
        .as("the replaced key and its certificate object are destroyed")
        .isEqualTo(withOldKey);
  }

  @Test
  void generatingOverAnIdDestroysTheKeyItHeld() throws Exception {
    DeviceKeys keys = module.keys(dir, "ec-p256");
    keys.generate("est-id");
    long withOneKey = hsm.storedObjects();

    KeyHandle second = keys.generate("est-id");

    assertThat(hsm.storedObjects()).isEqualTo(withOneKey);
    assertThat(keys.load("est-id").orElseThrow().publicKey().getEncoded())
        .isEqualTo(second.publicKey().getEncoded());
  }

  @Test
  void deleteRemovesThePointerAndDestroysTheTokenObject() throws Exception {
    long before = hsm.storedObjects();
    DeviceKeys keys = module.keys(dir, "ec-p256");
    keys.generate("device-id-temp");

    keys.delete("device-id-temp");
    keys.delete("never-generated");

    assertThat(keys.exists("device-id-temp")).isFalse();
    assertThat(keys.load("device-id-temp")).isEmpty();
    assertThat(hsm.storedObjects()).isEqualTo(before);
  }

  @Test
  void destroysTokenObjectsNoPointerNamesWhenTheKeysAreOpenedAgain() throws Exception {
    long before = hsm.storedObjects();
    TokenKeys keys = (TokenKeys) module.keys(dir, "ec-p256");
    keys.generate("device-id");
    keys.generate("device-id-temp");
    // A crash between creating the key and writing its pointer leaves an object nothing names.
    Files.delete(keys.path("device-id-temp"));

    DeviceKeys reopened = module.keys(dir, "ec-p256");

    assertThat(hsm.storedObjects() - before)
        .as("only device-id's key and certificate remain")
        .isEqualTo(2);
    assertThat(reopened.load("device-id")).isPresent();
  }

  @Test
  void leavesTheKeysOfAnotherKeyDirectoryAlone() throws Exception {
    DeviceKeys other = module.keys(state.resolve("other-agent-keys"), "ec-p256");
    other.generate("device-id");
    long before = hsm.storedObjects();

    module.keys(dir, "ec-p256");

    assertThat(hsm.storedObjects()).isEqualTo(before);
    assertThat(other.load("device-id")).isPresent();
  }

  @Test
  void reportsAPointerWhoseTokenObjectIsGone() throws Exception {
    TokenKeys keys = (TokenKeys) module.keys(dir, "ec-p256");
    Files.writeString(
        keys.path("device-id"), "pkcs11:token=agent;object=estuary-00000000-0000000000000000\n");

    assertThatThrownBy(() -> keys.load("device-id"))
        .hasMessageContaining(keys.path("device-id").toString())
        .hasMessageContaining("names key 'estuary-00000000-0000000000000000', which token 'agent'");
  }

  @Test
  void refusesAPointerIntoAnotherTokenThanTheBaseSlot() throws Exception {
    TokenKeys keys = (TokenKeys) module.keys(dir, "ec-p256");
    Files.writeString(
        keys.path("device-id"), "pkcs11:token=factory;object=estuary-00000000-0000000000000000\n");

    assertThatThrownBy(() -> keys.load("device-id"))
        .hasMessageContaining("names a key in another token");
  }
}
