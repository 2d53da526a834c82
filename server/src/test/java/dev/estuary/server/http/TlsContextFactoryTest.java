package dev.estuary.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.estuary.server.testing.TestPki;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import javax.net.ssl.X509KeyManager;
import org.junit.jupiter.api.Test;

/**
 * The client's chain is parsed by the JDK's X.509 factory whatever provider runs TLS: Jetty's own
 * choice would be the TLS provider's factory, and Conscrypt's certificates re-verify their
 * signature at every request (docs/benchmarks.md, "Conscrypt, fixed").
 */
class TlsContextFactoryTest {
  @Test
  void clientChainsAreParsedByTheJdkFactoryEvenOnConscrypt() throws Exception {
    String conscrypt = JsseProviders.named("conscrypt").getName();
    TlsContextFactory factory = new TlsContextFactory(true);
    factory.setProvider(conscrypt);

    CertificateFactory used = factory.getCertificateFactoryInstance("X.509");

    assertThat(CertificateFactory.getInstance("X.509", conscrypt).getProvider().getName())
        .as("Conscrypt has an X.509 factory of its own, the one Jetty would pick")
        .isEqualTo("Conscrypt");
    assertThat(used.getProvider().getName())
        .isEqualTo(CertificateFactory.getInstance("X.509").getProvider().getName())
        .isNotEqualTo(conscrypt);
  }

  @Test
  void onConscryptTheKeyManagersHandOutConscryptKeysAndOnTheJdkTheKeyStoresOwn() throws Exception {
    String conscrypt = JsseProviders.named("conscrypt").getName();
    KeyPair key = TestPki.key("ec-p256");
    KeyStore store = TestPki.keyStore(key, "tls", "pw".toCharArray());

    TlsContextFactory onConscrypt = new TlsContextFactory(true);
    onConscrypt.setProvider(conscrypt);
    onConscrypt.setKeyManagerPassword("pw");
    TlsContextFactory onJdk = new TlsContextFactory(true);
    onJdk.setKeyManagerPassword("pw");

    X509KeyManager conscryptKeys = (X509KeyManager) onConscrypt.getKeyManagers(store)[0];
    X509KeyManager jdkKeys = (X509KeyManager) onJdk.getKeyManagers(store)[0];
    assertThat(conscryptKeys.getPrivateKey("tls").getClass().getName())
        .startsWith("org.conscrypt.");
    assertThat(jdkKeys.getPrivateKey("tls").getClass().getName())
        .doesNotStartWith("org.conscrypt.");
  }
}
