package dev.estuary.server.store;

import static dev.estuary.server.store.TestCertificates.T0;
import static dev.estuary.server.store.TestCertificates.cert;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Revocations, CRL numbers and disabled devices, on H2 and PostgreSQL. */
@ParameterizedClass
@EnumSource(Backend.class)
class JdbiRevocationStoreTest extends BackendTestCase {
  private JdbiCertificateStore certificates;
  private RevocationStore store;

  @BeforeEach
  void createStores() {
    certificates = new JdbiCertificateStore(db.jdbi());
    store = new JdbiRevocationStore(db.jdbi());
  }

  @AfterEach
  void closeStores() {
    certificates.close();
  }

  @Test
  void aRevocationKeepsItsReasonAndInvalidityDateAndTheFirstRevocationWins() {
    certificates.record(cert(11), null);
    Instant at = T0.plus(Duration.ofDays(1));
    Instant invalid = T0.plus(Duration.ofHours(20));

    CertificateRecord r =
        store
            .revoke(BigInteger.valueOf(11), null, "keyCompromise", at, invalid, "token:test")
            .orElseThrow();
    assertThat(r.revokedAt()).isEqualTo(at);
    assertThat(r.revocationReason()).isEqualTo("keyCompromise");

    CertificateRecord again =
        store
            .revoke(
                BigInteger.valueOf(11), null, "superseded", at.plusSeconds(60), null, "token:test")
            .orElseThrow();
    assertThat(again.revokedAt()).isEqualTo(at);
    assertThat(again.revocationReason()).isEqualTo("keyCompromise");
    RevocationStore.Revoked listed = store.revocation(BigInteger.valueOf(11)).orElseThrow();
    assertThat(listed.invalidityDate()).isEqualTo(invalid);
    assertThat(listed.reason()).isEqualTo("keyCompromise");
  }

  @Test
  void aRevocationNamesTheIssuerWhenGivenAndAnUnknownSerialIsNotFound() {
    certificates.record(cert(12), null);
    assertThat(
            store.revoke(
                BigInteger.valueOf(12), "CN=Another CA", "unspecified", T0, null, "token:test"))
        .isEmpty();
    assertThat(store.revocation(BigInteger.valueOf(12))).as("not revoked").isEmpty();
    assertThat(store.revoke(BigInteger.valueOf(99), null, "unspecified", T0, null, "token:test"))
        .isEmpty();
    assertThat(
            store.revoke(
                BigInteger.valueOf(12),
                "CN=Estuary Test CA",
                "unspecified",
                T0,
                null,
                "token:test"))
        .get()
        .extracting(CertificateRecord::revoked)
        .isEqualTo(true);
  }

  @Test
  void revokedUnderListsTheIssuersRevokedCertificatesThatHaveNotExpired() {
    certificates.record(cert(21), null);
    certificates.record(cert(22), null);
    certificates.record(cert(23), null);
    store.revoke(BigInteger.valueOf(21), null, "superseded", T0, null, "token:test");
    store.revoke(BigInteger.valueOf(23), null, "keyCompromise", T0, null, "token:test");

    assertThat(store.revokedUnder("CN=Estuary Test CA", T0))
        .extracting(RevocationStore.Revoked::serial)
        .containsExactly(BigInteger.valueOf(21), BigInteger.valueOf(23));
    assertThat(store.revokedUnder("CN=Other", T0)).isEmpty();
    assertThat(store.revokedUnder("CN=Estuary Test CA", T0.plus(Duration.ofDays(400))))
        .as("expired certificates leave the CRL")
        .isEmpty();
  }

  @Test
  void theWatermarkChangesWithEveryRevocation() {
    certificates.record(cert(31), null);
    certificates.record(cert(32), null);
    String empty = store.watermark();
    store.revoke(BigInteger.valueOf(31), null, "unspecified", T0, null, "token:test");
    String one = store.watermark();
    store.revoke(BigInteger.valueOf(32), null, "unspecified", T0, null, "token:test");
    assertThat(one).isNotEqualTo(empty);
    assertThat(store.watermark()).isNotEqualTo(one);
  }

  @Test
  void theWatermarkAndTheRevocationsOfACrlSeekTheRevokedIndexInsteadOfReadingEveryRow() {
    assumeTrue(backend == Backend.H2, "H2's plans (PostgreSQL plans a tiny table as a scan)");
    for (int i = 40; i < 240; i++) {
      certificates.record(cert(i), null);
    }
    store.revoke(BigInteger.valueOf(41), null, "superseded", T0, null, "token:test");
    store.revoke(BigInteger.valueOf(42), null, "superseded", T0, null, "token:test");

    for (String sql : List.of(JdbiRevocationStore.WATERMARK, JdbiRevocationStore.REVOKED_UNDER)) {
      String plan =
          db.jdbi()
              .withHandle(
                  h -> {
                    var explain = h.createQuery("EXPLAIN ANALYZE " + sql);
                    if (sql.contains(":issuer")) {
                      explain.bind("issuer", "CN=Estuary Test CA").bind("after", T0);
                    }
                    return explain.mapTo(String.class).one();
                  });
      assertThat(plan)
          .as(sql)
          .contains("CERTIFICATE_REVOKED_IDX: REVOKED_AT >=")
          .containsPattern("scanCount: [0-9] ");
    }
    assertThat(store.watermark()).startsWith("2/");
    assertThat(store.revokedUnder("CN=Estuary Test CA", T0)).hasSize(2);
  }

  @Test
  void crlNumbersOnlyGrowPerCaAndSurviveReopeningTheDatabase() {
    assertThat(store.nextCrlNumber("ca-a")).isEqualTo(BigInteger.ONE);
    assertThat(store.nextCrlNumber("ca-a")).isEqualTo(BigInteger.TWO);
    assertThat(store.nextCrlNumber("ca-b")).isEqualTo(BigInteger.ONE);
    certificates.close();
    db.close();
    db = target.open();
    certificates = new JdbiCertificateStore(db.jdbi());
    store = new JdbiRevocationStore(db.jdbi());
    assertThat(store.nextCrlNumber("ca-a")).isEqualTo(BigInteger.valueOf(3));
  }

  @Test
  void aDisabledDeviceIsFoundByIdAndByThePrincipalOfItsCertificatesUntilEnabled() {
    certificates.record(cert(BigInteger.valueOf(41), "CN=pump-9", T0), null);
    assertThat(store.principalDisabled("x509:test-principal")).isFalse();

    RevocationStore.DisabledDevice d = store.disable("pump-9", T0, "stolen", "token:test");
    assertThat(d.note()).isEqualTo("stolen");
    assertThat(store.disable("pump-9", T0.plusSeconds(5), "again", "token:test").note())
        .as("the first disabling is kept")
        .isEqualTo("stolen");
    assertThat(store.findDisabled("pump-9")).isPresent();
    assertThat(store.principalDisabled("x509:test-principal")).isTrue();
    assertThat(store.principalDisabled("x509:someone-else")).isFalse();
    assertThat(store.findDisabled("pump-10")).isEmpty();

    assertThat(store.enable("pump-9", T0, "token:test")).isTrue();
    assertThat(store.enable("pump-9", T0, "token:test")).isFalse();
    assertThat(store.principalDisabled("x509:test-principal")).isFalse();
    assertThat(certificates.findBySerial(BigInteger.valueOf(41))).as("history kept").isPresent();
  }
}
