package dev.estuary.agent.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.estuary.agent.config.Pkcs11Settings;
import dev.estuary.agent.config.Pkcs11Uri;
import dev.estuary.agent.testing.LoopbackTlsServer;
import dev.estuary.agent.testing.TestCa;
import dev.estuary.pki.ClientTls;
import dev.estuary.pki.Csr;
import dev.estuary.pki.CsrBuilder;
import dev.estuary.pki.KeyPairs;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loading a real SoftHSM2 module: configured identity keys ({@code identity_pk = "pkcs11:…"}, the
 * IDevID in the factory token) opened with their PIN and used for a CSR and TLS client
 * authentication, and the errors that say what is wrong.
 */
class Pkcs11ModuleTest {
  private static final Pkcs11Settings MODULE_ONLY =
      new Pkcs11Settings(SoftHsm.MODULE, Optional.empty());
  private static final String IDEVID = "idevid";

  private static SoftHsm hsm;
  private static TestCa ca;
  private static KeyPair idevid;
  private static X509Certificate idevidCert;

  @TempDir Path tmp;

  @BeforeAll
  static void factoryToken() throws Exception {
    hsm = SoftHsm.get();
    ca = new TestCa();
    idevid = KeyPairs.generate("ec-p256", new SecureRandom());
    idevidCert = ca.client("my-device-id", idevid.getPublic());
    hsm.storeKeyWithCertificate(
        SoftHsm.FACTORY, SoftHsm.FACTORY_PIN, IDEVID, idevid.getPrivate(), idevidCert);
  }

  @Test
  void opensAConfiguredIdentityKeyByLabelWithItsPinValue() throws Exception {
    try (Pkcs11Module module = Pkcs11Module.open(MODULE_ONLY)) {
      KeyHandle key =
          module
              .opener()
              .open(
                  URI.create(
                      "pkcs11:token=factory;object=idevid;type=private?pin-value="
                          + SoftHsm.FACTORY_PIN));

      assertThat(key.publicKey().getEncoded()).isEqualTo(idevid.getPublic().getEncoded());
      assertThat(key.provider()).isNotNull();
      Csr csr =
          Csr.parse(
              CsrBuilder.build(
                  "my-device-id",
                  CsrBuilder.Kind.CLIENT_IDENTITY,
                  key.publicKey(),
                  key.privateKey(),
                  key.provider()));
      assertThat(csr.commonName()).isEqualTo("my-device-id");
    }
  }

  @Test
  void opensAConfiguredIdentityKeyWithAPinSourceFile() throws Exception {
    Path pinFile = tmp.resolve("factory.pin");
    Files.writeString(pinFile, SoftHsm.FACTORY_PIN + "\n", StandardCharsets.UTF_8);
    try (Pkcs11Module module = Pkcs11Module.open(MODULE_ONLY)) {
      KeyHandle key =
          module
              .opener()
              .open(URI.create("pkcs11:token=factory;object=idevid?pin-source=" + pinFile.toUri()));

      assertThat(key.publicKey().getEncoded()).isEqualTo(idevid.getPublic().getEncoded());
    }
  }

  @Test
  void authenticatesATlsClientWithTheIdentityKeyInTheToken() throws Exception {
    try (Pkcs11Module module = Pkcs11Module.open(MODULE_ONLY);
        LoopbackTlsServer server = new LoopbackTlsServer(ca)) {
      KeyHandle key =
          module
              .opener()
              .open(
                  URI.create(
                      "pkcs11:token=factory;object=idevid?pin-value=" + SoftHsm.FACTORY_PIN));

      connect(server, idevidCert, key);

      assertThat(server.clientCertificate()).isEqualTo(idevidCert);
    }
  }

  @Test
  void authenticatesATlsClientWithAKeyGeneratedInTheToken() throws Exception {
    Pkcs11Settings settings =
        new Pkcs11Settings(
            SoftHsm.MODULE,
            Optional.of(Pkcs11Uri.parse("pkcs11:token=agent?pin-value=" + SoftHsm.AGENT_PIN)));
    try (Pkcs11Module module = Pkcs11Module.open(settings);
        LoopbackTlsServer server = new LoopbackTlsServer(ca)) {
      KeyHandle key = module.keys(tmp.resolve("keys"), "ec-p256").generate("est-id");
      X509Certificate cert = ca.client("my-device-id", key.publicKey());

      connect(server, cert, key);

      assertThat(server.clientCertificate()).isEqualTo(cert);
    }
  }

  @Test
  void generatesAKeyUnderTheLabelItIsGivenReplacingTheKeyThatHadItAndNamesItWithoutThePin()
      throws Exception {
    Pkcs11Settings settings =
        new Pkcs11Settings(
            SoftHsm.MODULE,
            Optional.of(Pkcs11Uri.parse("pkcs11:token=agent?pin-value=" + SoftHsm.AGENT_PIN)));
    try (Pkcs11Module module = Pkcs11Module.open(settings)) {
      KeyHandle first = module.generate("line-0001", "ec-p256");
      KeyHandle second = module.generate("line-0001", "ec-p256");

      assertThat(second.publicKey()).isNotEqualTo(first.publicKey());
      assertThat(module.find("line-0001").orElseThrow().publicKey())
          .as("the label names the new key")
          .isEqualTo(second.publicKey());
      assertThat(module.find("line-0002")).isEmpty();
      assertThat(second.privateKey().getEncoded()).as("not extractable").isNull();
      assertThat(module.pointer("line-0001")).isEqualTo("pkcs11:token=agent;object=line-0001");
    }
  }

  /** The agent's way: {@code ClientTls} hands the token's key to JSSE as it is. */
  private static void connect(LoopbackTlsServer server, X509Certificate cert, KeyHandle key)
      throws Exception {
    var ctx =
        ClientTls.context(
            List.of(ca.certificate()), List.of(cert, ca.certificate()), key.privateKey());
    try (SSLSocket socket =
        (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", server.port())) {
      socket.setSoTimeout(LoopbackTlsServer.TIMEOUT_MS);
      socket.startHandshake();
      socket.getOutputStream().write(42);
      socket.getOutputStream().flush();
      assertThat(socket.getInputStream().read()).isEqualTo(42);
    }
  }

  @Test
  void explainsThatAKeyWithoutCertificateObjectCannotBeUsed() throws Exception {
    Path pem = tmp.resolve("bare.pem");
    byte[] pkcs8 = KeyPairs.generate("ec-p256", new SecureRandom()).getPrivate().getEncoded();
    Files.writeString(
        pem,
        "-----BEGIN PRIVATE KEY-----\n"
            + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(pkcs8)
            + "\n-----END PRIVATE KEY-----\n");
    hsm.importKey(pem, SoftHsm.FACTORY, SoftHsm.FACTORY_PIN, "bare-key", "0b0b");
    try (Pkcs11Module module = Pkcs11Module.open(MODULE_ONLY)) {
      assertThatThrownBy(
              () ->
                  module
                      .opener()
                      .open(
                          URI.create(
                              "pkcs11:token=factory;object=bare-key?pin-value="
                                  + SoftHsm.FACTORY_PIN)))
          .hasMessageContaining("no usable private key 'bare-key' in token 'factory'")
          .hasMessageContaining("key entries: 'idevid'")
          .hasMessageContaining("certificate object with the same CKA_ID");
    }
  }

  @Test
  void namesTheTokensItHasWhenTheBaseSlotTokenIsMissing() {
    Pkcs11Settings settings =
        new Pkcs11Settings(
            SoftHsm.MODULE, Optional.of(Pkcs11Uri.parse("pkcs11:token=edge?pin-value=1234")));

    assertThatThrownBy(() -> Pkcs11Module.open(settings))
        .hasMessageContaining("no token 'token=edge' in " + SoftHsm.MODULE)
        .hasMessageContaining("(tokens: ")
        .hasMessageContaining("'decoy'")
        .hasMessageContaining("'agent'")
        .hasMessageContaining("'factory'")
        .as("SoftHSM2's free, uninitialised slot is not listed as a token")
        .hasMessageNotContaining("''");
  }

  @Test
  void saysTheBaseSlotPinIsWrongWithoutShowingIt() {
    Pkcs11Settings settings =
        new Pkcs11Settings(
            SoftHsm.MODULE, Optional.of(Pkcs11Uri.parse("pkcs11:token=pin-check?pin-value=9753")));

    assertThatThrownBy(() -> Pkcs11Module.open(settings))
        .hasMessage("wrong PIN for token 'pin-check'")
        .hasMessageNotContaining("9753");
  }

  @Test
  void asksForThePinWhenAUriHasNone() throws Exception {
    try (Pkcs11Module module = Pkcs11Module.open(MODULE_ONLY)) {
      assertThatThrownBy(
              () -> module.opener().open(URI.create("pkcs11:token=pin-check;object=idevid")))
          .hasMessageContaining(
              "token 'pin-check' needs its PIN: add ?pin-value=… or ?pin-source=file:…");
    }
  }

  @Test
  void refusesAUriNamingACertificateOrAnotherModule() throws Exception {
    try (Pkcs11Module module = Pkcs11Module.open(MODULE_ONLY)) {
      assertThatThrownBy(
              () ->
                  module.opener().open(URI.create("pkcs11:token=factory;object=idevid;type=cert")))
          .hasMessageContaining("names a cert object, not a private key");
      assertThatThrownBy(
              () ->
                  module
                      .opener()
                      .open(
                          URI.create(
                              "pkcs11:token=factory;object=idevid?module-path=/usr/lib/other.so")))
          .hasMessageContaining("module-path names another PKCS#11 module than " + SoftHsm.MODULE);
    }
  }

  @Test
  void saysWhichModuleIsMissing() {
    Pkcs11Settings settings = new Pkcs11Settings(tmp.resolve("libnothere.so"), Optional.empty());

    assertThatThrownBy(() -> Pkcs11Module.open(settings))
        .hasMessageContaining(tmp.resolve("libnothere.so") + " is missing or not readable");
  }
}
