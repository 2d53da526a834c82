package dev.estuary.server.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.estuary.pki.IssuingCa;
import dev.estuary.pki.KeyPairs;
import dev.estuary.pki.Serials;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The rollover steps on a quickstart-like keystore (root, label CAs, TLS CA, TLS key). */
class RolloverTest {
  private static final char[] PW = "pw".toCharArray();
  private final SecureRandom random = new SecureRandom();
  private final Serials serials = new Serials(random);
  private final Instant now = Instant.now();
  private KeyStore ks;

  @BeforeEach
  void hierarchy() throws Exception {
    ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    GeneralNames names =
        new GeneralNames(new GeneralName[] {new GeneralName(GeneralName.dNSName, "localhost")});
    CaHierarchy h =
        CaHierarchy.create("Test", List.of("device-id", "edge-ca"), names, now, serials, random);
    IssuingCa tlsCa = h.addIssuingCa("tls-ca", "Test TLS CA", 0);
    h.storeIn(ks, PW);
    KeyPair tlsKey = KeyPairs.generate("ec-p256", random);
    List<X509Certificate> tls =
        CaHierarchy.tlsCertificate(
            tlsCa, tlsKey, "localhost", names, Duration.ofDays(825), now, serials);
    ks.setKeyEntry("tls", tlsKey.getPrivate(), PW, tls.toArray(Certificate[]::new));
  }

  private Rollover rollover(Instant at) {
    return new Rollover(List.of(new Rollover.Store("ks", ks, PW)), at, serials, random);
  }

  private List<X509Certificate> chain(String alias) throws Exception {
    List<X509Certificate> out = new ArrayList<>();
    for (Certificate c : ks.getCertificateChain(alias)) {
      out.add((X509Certificate) c);
    }
    return out;
  }

  @Test
  void rollMakesTheNextGenerationUnderTheSameRootWithTheSameConstraints() throws Exception {
    X509Certificate old = chain("edge-ca-ca").getFirst();
    Rollover.Step step = rollover(now).roll("edge-ca-ca");

    assertThat(step.alias()).isEqualTo("edge-ca-ca.g2");
    List<X509Certificate> g2 = chain("edge-ca-ca.g2");
    assertThat(g2.getFirst().getSubjectX500Principal().getName())
        .isEqualTo("O=Estuary,CN=Test edge-ca CA G2");
    assertThat(g2.getFirst().getPublicKey()).isNotEqualTo(old.getPublicKey());
    assertThat(g2.getLast()).isEqualTo(chain("root").getFirst());
    assertThat(g2.getFirst().getBasicConstraints()).isEqualTo(old.getBasicConstraints());
    assertThat(g2.getFirst().getExtensionValue("2.5.29.30"))
        .as("the server's names stay excluded beneath the Edge CA issuing CA")
        .isEqualTo(old.getExtensionValue("2.5.29.30"));
    g2.getFirst().verify(chain("root").getFirst().getPublicKey());
    assertThat(ks.isKeyEntry("edge-ca-ca")).as("the old generation stays").isTrue();

    assertThat(rollover(now).roll("edge-ca-ca").alias()).isEqualTo("edge-ca-ca.g3");
    assertThat(chain("edge-ca-ca.g3").getFirst().getSubjectX500Principal().getName())
        .isEqualTo("O=Estuary,CN=Test edge-ca CA G3");
  }

  @Test
  void rollRootMakesTheFourRootKeyUpdateCertificates() throws Exception {
    X509Certificate oldRoot = chain("root").getFirst();
    rollover(now).rollRoot();

    X509Certificate newRoot = chain("root.g2").getFirst();
    X509Certificate oldWithOld = (X509Certificate) ks.getCertificate("root-link.g2.old-with-old");
    X509Certificate oldWithNew = (X509Certificate) ks.getCertificate("root-link.g2.old-with-new");
    X509Certificate newWithOld = (X509Certificate) ks.getCertificate("root-link.g2.new-with-old");
    X509Certificate newWithNew = (X509Certificate) ks.getCertificate("root-link.g2.new-with-new");
    assertThat(oldWithOld).isEqualTo(oldRoot);
    assertThat(newWithNew).isEqualTo(newRoot);
    newWithNew.verify(newRoot.getPublicKey());
    assertThat(newWithOld.getPublicKey()).isEqualTo(newRoot.getPublicKey());
    assertThat(newWithOld.getSubjectX500Principal()).isEqualTo(newRoot.getSubjectX500Principal());
    newWithOld.verify(oldRoot.getPublicKey());
    assertThat(oldWithNew.getPublicKey()).isEqualTo(oldRoot.getPublicKey());
    assertThat(oldWithNew.getSubjectX500Principal()).isEqualTo(oldRoot.getSubjectX500Principal());
    oldWithNew.verify(newRoot.getPublicKey());
    assertThat(newWithOld.getBasicConstraints()).isGreaterThanOrEqualTo(0);
    assertThat(chain("device-id-ca").getLast()).as("nothing moved yet").isEqualTo(oldRoot);
  }

  @Test
  void switchRootMovesTheIssuingCasAndTheTlsCertificateWithTheLinkInItsChain() throws Exception {
    assertThatThrownBy(() -> rollover(now).switchRoot(List.of("device-id-ca"), "tls"))
        .hasMessageContaining("there is no new root");
    rollover(now).rollRoot();
    X509Certificate newRoot = chain("root.g2").getFirst();
    X509Certificate oldTls = chain("tls").getFirst();

    rollover(now).switchRoot(List.of("device-id-ca", "edge-ca-ca"), "tls");

    assertThat(chain("device-id-ca.g2").getLast()).isEqualTo(newRoot);
    assertThat(chain("edge-ca-ca.g2").getLast()).isEqualTo(newRoot);
    assertThat(chain("tls-ca.g2").getLast()).isEqualTo(newRoot);
    List<X509Certificate> tls = chain("tls");
    assertThat(tls.getFirst()).isNotEqualTo(oldTls);
    assertThat(new ArrayList<>(tls.getFirst().getSubjectAlternativeNames()))
        .isEqualTo(new ArrayList<>(oldTls.getSubjectAlternativeNames()));
    assertThat(tls.get(1)).isEqualTo(chain("tls-ca.g2").getFirst());
    assertThat(tls.get(2))
        .as("the NewWithOld link, for devices that trust only the old root")
        .isEqualTo(ks.getCertificate("root-link.g2.new-with-old"));

    // Twice is harmless: what is under the new root stays.
    List<Rollover.Step> again = rollover(now).switchRoot(List.of("device-id-ca"), "tls");
    assertThat(again.getFirst().what()).contains("already under the new root");
  }

  @Test
  void retireRefusesTheCurrentGenerationAndOneWithValidCertificatesAndSaysWhat() throws Exception {
    assertThatThrownBy(() -> rollover(now).retire("device-id-ca", ca -> List.of()))
        .hasMessageContaining("current generation");
    rollover(now).roll("device-id-ca");
    assertThatThrownBy(
            () -> rollover(now).retire("device-id-ca", ca -> List.of("3 certificate(s) valid")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("3 certificate(s) valid");
    assertThatThrownBy(() -> rollover(now).retire("tls-ca.g7", ca -> List.of()))
        .hasMessageContaining("no key entry");

    X509Certificate old = chain("device-id-ca").getFirst();
    rollover(now).retire("device-id-ca", ca -> List.of());
    assertThat(ks.containsAlias("device-id-ca")).isFalse();
    assertThat(ks.getCertificate("retired.device-id-ca")).isEqualTo(old);
    assertThat(ks.isCertificateEntry("retired.device-id-ca")).isTrue();
  }

  @Test
  void retireRefusesTheTlsCaWhileTheTlsCertificateNeedsIt() throws Exception {
    rollover(now).roll("tls-ca");
    assertThatThrownBy(() -> rollover(now).retire("tls-ca", ca -> List.of()))
        .hasMessageContaining("key entry 'tls' was issued by it");
  }

  @Test
  void retireRootRefusesWhileAnythingUnderItIsValidThenRemovesItAndItsLinks() throws Exception {
    rollover(now).rollRoot();
    rollover(now).switchRoot(List.of("device-id-ca", "edge-ca-ca"), "tls");
    assertThatThrownBy(() -> rollover(now).retireRoot(ca -> List.of("issued under " + ca)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("issued under")
        .hasMessageContaining("'device-id-ca'")
        .hasMessageContaining("'edge-ca-ca'")
        .hasMessageContaining("'tls-ca'");
    for (String alias : List.of("device-id-ca", "edge-ca-ca", "tls-ca")) {
      rollover(now).retire(alias, ca -> List.of());
    }
    rollover(now).retireRoot(ca -> List.of());
    assertThat(ks.containsAlias("root")).isFalse();
    assertThat(Collections.list(ks.aliases()))
        .noneMatch(a -> a.startsWith("root-link.g2.old") || a.equals("root-link.g2.new-with-old"));
    assertThat(chain("tls")).hasSize(2);
  }

  @Test
  void generationAliases() {
    assertThat(CaGenerations.base("device-id-ca.g12")).isEqualTo("device-id-ca");
    assertThat(CaGenerations.number("device-id-ca.g12")).isEqualTo(12);
    assertThat(CaGenerations.number("device-id-ca")).isEqualTo(1);
    assertThat(
            CaGenerations.of(
                List.of("a.g10", "a", "a.g2", "ab", "retired.a", "root-link.g2.new-with-new"), "a"))
        .containsExactly("a", "a.g2", "a.g10");
  }
}
