package dev.estuary.agent.credential;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.estuary.agent.config.BasicAuth;
import dev.estuary.agent.config.EstAuth;
import dev.estuary.agent.config.X509Credential;
import dev.estuary.agent.est.EstIdentity;
import dev.estuary.agent.store.ConfiguredKeys;
import dev.estuary.agent.store.KeyHandle;
import dev.estuary.agent.testing.TestCa;
import dev.estuary.pki.Pem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which identity an EST request presents: the configured one, the EST identity while valid, or the
 * bootstrap one.
 */
class IdentitiesTest {
  private static final Optional<BasicAuth> BASIC = Optional.of(new BasicAuth("gateway-7", "pw"));

  /**
   * The EST identity's validity: whole seconds, as certificates carry it, within the test root's.
   */
  private static final Instant NOT_BEFORE =
      Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofDays(1));

  private static final Instant NOT_AFTER = NOT_BEFORE.plus(Duration.ofDays(7));

  private static TestCa ca;
  private static EstCredential.Pair estId;

  @TempDir Path dir;
  private final Identities identities = new Identities(new ConfiguredKeys(Optional.empty()));
  private Configured bootstrap;

  @BeforeAll
  static void estIdentity() {
    ca = new TestCa();
    KeyPair key = TestCa.newKey();
    X509Certificate cert =
        ca.client("my-device-id", TestCa.spki(key.getPublic()), NOT_BEFORE, NOT_AFTER);
    estId =
        new EstCredential.Pair(
            List.of(cert), new KeyHandle(key.getPrivate(), key.getPublic(), null));
  }

  @Test
  void anIdentityCertificateIsPresentedForEveryRequest() throws Exception {
    Configured idevid = configured("idevid");
    IdentitySource source =
        identities.sourceFor(
            new EstAuth(BASIC, Optional.of(idevid.credential()), Optional.empty()),
            () -> Optional.of(estId));

    EstIdentity who = source.identityAt(NOT_BEFORE.plusSeconds(60));

    assertThat(who.chain()).containsExactly(idevid.cert());
    assertThat(who.key().getEncoded()).isEqualTo(idevid.key().getPrivate().getEncoded());
    assertThat(who.basic()).isEqualTo(BASIC);
    assertThat(who.name()).isEqualTo("identity certificate " + idevid.credential().cert());
  }

  @Test
  void aBootstrapIdentityGivesWayToTheEstIdentityWhileThatIsValid() throws Exception {
    IdentitySource source = bootstrapped(() -> Optional.of(estId));

    for (Instant at : List.of(NOT_BEFORE, NOT_BEFORE.plus(Duration.ofDays(3)), NOT_AFTER)) {
      EstIdentity who = source.identityAt(at);
      assertThat(who.name()).as("at %s", at).isEqualTo("est-id");
      assertThat(who.chain()).containsExactlyElementsOf(estId.chain());
      assertThat(who.key()).isSameAs(estId.key().privateKey());
      assertThat(who.basic()).isEqualTo(BASIC);
    }
  }

  @Test
  void theBootstrapIdentityIsPresentedWhileThereIsNoEstIdentity() throws Exception {
    EstIdentity who = bootstrapped(Optional::empty).identityAt(NOT_BEFORE);

    assertThat(who.name()).startsWith("bootstrap identity ");
    assertThat(who.chain()).containsExactly(bootstrap.cert());
  }

  @Test
  void theBootstrapIdentityIsPresentedOnceTheEstIdentityHasExpiredOrBeforeItIsValid()
      throws Exception {
    IdentitySource source = bootstrapped(() -> Optional.of(estId));

    assertThat(source.identityAt(NOT_AFTER.plusSeconds(1)).chain())
        .containsExactly(bootstrap.cert());
    assertThat(source.identityAt(NOT_BEFORE.minusSeconds(1)).chain())
        .containsExactly(bootstrap.cert());
  }

  /**
   * Issue 16 point 1: an EST identity the server refuses (401/403) gives way to the bootstrap
   * identity, as an expired one does.
   */
  @Test
  void aRefusedEstIdentityGivesWayToTheBootstrapIdentityAndIsNotPresentedAgain() throws Exception {
    List<String> estIdDue = new ArrayList<>();
    bootstrap = configured("bootstrap");
    IdentitySource source =
        identities.sourceFor(
            new EstAuth(BASIC, Optional.empty(), Optional.of(bootstrap.credential())),
            () -> Optional.of(estId),
            () -> estIdDue.add("due"));
    Instant at = NOT_BEFORE.plus(Duration.ofDays(1));
    EstIdentity first = source.identityAt(at);
    assertThat(first.name()).isEqualTo("est-id");

    Optional<EstIdentity> instead = source.afterRefusal(first, "device-id", at);

    assertThat(instead)
        .hasValueSatisfying(
            who -> {
              assertThat(who.chain()).containsExactly(bootstrap.cert());
              assertThat(who.basic()).isEqualTo(BASIC);
            });
    assertThat(source.identityAt(at).chain()).containsExactly(bootstrap.cert());
    assertThat(estIdDue).as("est-id made due to be replaced").containsExactly("due");
    assertThat(source.afterRefusal(instead.get(), "device-id", at))
        .as("nothing after the bootstrap identity")
        .isEmpty();
  }

  @Test
  void aRefusedEstIdentityForItsOwnRenewalFallsBackWithoutMakingItselfDue() throws Exception {
    List<String> estIdDue = new ArrayList<>();
    bootstrap = configured("bootstrap");
    IdentitySource source =
        identities.sourceFor(
            new EstAuth(BASIC, Optional.empty(), Optional.of(bootstrap.credential())),
            () -> Optional.of(estId),
            () -> estIdDue.add("due"));
    Instant at = NOT_BEFORE.plus(Duration.ofDays(1));

    assertThat(source.afterRefusal(source.identityAt(at), "est-id", at)).isPresent();
    assertThat(estIdDue).isEmpty();
  }

  @Test
  void anIdentityCertificateHasNothingToFallBackTo() throws Exception {
    Configured idevid = configured("idevid");
    IdentitySource source =
        identities.sourceFor(
            new EstAuth(BASIC, Optional.of(idevid.credential()), Optional.empty()),
            () -> Optional.of(estId));

    assertThat(source.afterRefusal(source.identityAt(NOT_BEFORE), "device-id", NOT_BEFORE))
        .isEmpty();
  }

  @Test
  void basicAloneIsPresentedWithoutACertificate() throws Exception {
    EstIdentity who =
        identities
            .sourceFor(
                new EstAuth(BASIC, Optional.empty(), Optional.empty()), () -> Optional.of(estId))
            .identityAt(NOT_BEFORE);

    assertThat(who.hasCertificate()).isFalse();
    assertThat(who.basic()).isEqualTo(BASIC);
    assertThat(who.name()).isEqualTo("username gateway-7");
  }

  @Test
  void noCredentialsAtAll() throws Exception {
    EstIdentity who = identities.sourceFor(EstAuth.NONE, Optional::empty).identityAt(NOT_BEFORE);

    assertThat(who.hasCertificate()).isFalse();
    assertThat(who.basic()).isEmpty();
  }

  @Test
  void aReplacedIdentityFileIsPickedUpAtTheNextRequest() throws Exception {
    Configured idevid = configured("idevid");
    IdentitySource source =
        identities.sourceFor(
            new EstAuth(Optional.empty(), Optional.of(idevid.credential()), Optional.empty()),
            Optional::empty);
    source.identityAt(NOT_BEFORE);

    Configured replaced = configured("idevid");

    assertThat(source.identityAt(NOT_BEFORE).chain()).containsExactly(replaced.cert());
  }

  @Test
  void refusesACertificateThatIsNotTheKeys() throws Exception {
    Configured idevid = configured("idevid");
    Files.writeString(Path.of(idevid.credential().key()), Pem.encode(TestCa.newKey().getPrivate()));

    assertThatThrownBy(
            () -> identities.configured(idevid.credential(), Optional.empty(), "identity"))
        .isInstanceOf(IOException.class)
        .hasMessage(
            idevid.credential().cert()
                + " is not the certificate of the key it is configured with");
  }

  private IdentitySource bootstrapped(Supplier<Optional<EstCredential.Pair>> estIds)
      throws Exception {
    bootstrap = configured("bootstrap");
    return identities.sourceFor(
        new EstAuth(BASIC, Optional.empty(), Optional.of(bootstrap.credential())), estIds);
  }

  /**
   * A certificate and key written to {@code <name>.cert.pem} and {@code <name>.key.pem}, as
   * configured.
   */
  private record Configured(X509Credential credential, X509Certificate cert, KeyPair key) {}

  private Configured configured(String name) throws Exception {
    KeyPair key = TestCa.newKey();
    X509Certificate cert = ca.client("my-device-id", key.getPublic());
    Path certFile = Files.writeString(dir.resolve(name + ".cert.pem"), Pem.encode(cert));
    Path keyFile = Files.writeString(dir.resolve(name + ".key.pem"), Pem.encode(key.getPrivate()));
    return new Configured(new X509Credential(certFile.toUri(), keyFile.toUri()), cert, key);
  }
}
