package dev.estuary.server.store;

import static dev.estuary.server.store.TestCertificates.T0;
import static dev.estuary.server.store.TestCertificates.cert;
import static dev.estuary.server.store.TestCertificates.secret;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link CertificateStore#record} with a bootstrap secret: the use and the certificate, together or
 * not at all.
 */
@ParameterizedClass
@EnumSource(Backend.class)
class SecretConsumptionTest extends BackendTestCase {

  private CertificateStore certs;
  private CredentialStore credentials;

  @BeforeEach
  void createStores() {
    certs = new JdbiCertificateStore(db.jdbi());
    credentials = new JdbiCredentialStore(db.jdbi());
  }

  @Test
  void unlimitedSecretStaysUnlimited() {
    credentials.createSecret(secret("unlimited", null, null));

    for (int i = 0; i < 3; i++) {
      certs.record(cert(i), "unlimited");
    }

    assertThat(certs.count()).isEqualTo(3);
    assertThat(credentials.findSecret("unlimited").orElseThrow().usesRemaining()).isNull();
  }

  @Test
  void limitedSecretCountsDownThenIsUsedUp() {
    credentials.createSecret(secret("twice", 2, null));

    certs.record(cert(1), "twice");
    assertThat(usesRemaining("twice")).isEqualTo(1);
    certs.record(cert(2), "twice");
    assertThat(usesRemaining("twice")).isZero();

    CertificateRecord third = cert(3);
    assertThatThrownBy(() -> certs.record(third, "twice"))
        .isInstanceOf(SecretRefusedException.class)
        .hasMessage(SecretRefusedException.USED_UP);
    assertThat(certs.findBySerial(third.serial())).isEmpty();
    assertThat(certs.count()).isEqualTo(2);
    assertThat(usesRemaining("twice")).isZero();
  }

  @Test
  void secretExpiringAtTheIssueTimeIsRefusedAndNothingIsRecorded() {
    credentials.createSecret(secret("expired", 5, T0));

    assertThatThrownBy(() -> certs.record(cert(1), "expired"))
        .isInstanceOf(SecretRefusedException.class)
        .hasMessage(SecretRefusedException.EXPIRED);

    assertThat(certs.count()).isZero();
    assertThat(usesRemaining("expired")).isEqualTo(5);
  }

  @Test
  void secretExpiringAfterTheIssueTimeIsAccepted() {
    credentials.createSecret(secret("fresh", 5, T0.plus(Duration.ofNanos(1000))));

    certs.record(cert(1), "fresh");

    assertThat(certs.count()).isEqualTo(1);
    assertThat(usesRemaining("fresh")).isEqualTo(4);
  }

  @Test
  void disabledSecretIsRefusedAndNothingIsRecorded() {
    credentials.createSecret(secret("off", 5, null));
    credentials.disableSecret("off");

    assertThatThrownBy(() -> certs.record(cert(1), "off"))
        .isInstanceOf(SecretRefusedException.class)
        .hasMessage(SecretRefusedException.DISABLED);

    assertThat(certs.count()).isZero();
    assertThat(usesRemaining("off")).isEqualTo(5);
  }

  @Test
  void unknownSecretIsRefusedAndNothingIsRecorded() {
    credentials.createSecret(secret("known", 5, null));

    assertThatThrownBy(() -> certs.record(cert(1), "unknown-id"))
        .isInstanceOf(SecretRefusedException.class)
        .hasMessage(SecretRefusedException.UNKNOWN);

    assertThat(certs.count()).isZero();
    assertThat(usesRemaining("known")).isEqualTo(5);
  }

  @Test
  void duplicateSerialGivesTheSecretUseBack() {
    credentials.createSecret(secret("pair", 2, null));
    certs.record(cert(9), "pair");

    CertificateRecord clash = cert(BigInteger.valueOf(9), "CN=clash", T0);
    assertThatThrownBy(() -> certs.record(clash, "pair"))
        .isInstanceOf(DuplicateSerialException.class);

    assertThat(usesRemaining("pair")).isEqualTo(1);
    assertThat(certs.count()).isEqualTo(1);
    assertThat(certs.findBySerial(clash.serial()).orElseThrow().subject()).isNotEqualTo("CN=clash");
  }

  @Test
  void recordingWithoutASecretTouchesNoSecret() {
    credentials.createSecret(secret("spare", 1, null));

    certs.record(cert(1), null);

    assertThat(certs.count()).isEqualTo(1);
    assertThat(usesRemaining("spare")).isEqualTo(1);
  }

  private Integer usesRemaining(String id) {
    return credentials.findSecret(id).orElseThrow().usesRemaining();
  }
}
