package dev.estuary.server.store;

import static dev.estuary.server.store.TestCertificates.T0;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The metrics' census on H2 and PostgreSQL: each certificate in exactly one status per label, and
 * the expiring windows counting only valid certificates.
 */
@ParameterizedClass
@EnumSource(Backend.class)
class CertificateCensusTest extends BackendTestCase {
  private JdbiCertificateStore store;
  private long serial = 1;

  @BeforeEach
  void createStore() {
    store = new JdbiCertificateStore(db.jdbi());
  }

  @Test
  void countsEachLabelByStatusAndExpiryWindowAtTheGivenInstant() {
    Instant now = T0;
    // sensors: valid for a year, valid for 12 h, valid for 3 days, expired, revoked (and expiring)
    record("sensors", now.plus(Duration.ofDays(365)), false);
    record("sensors", now.plus(Duration.ofHours(12)), false);
    record("sensors", now.plus(Duration.ofDays(3)), false);
    record("sensors", now.minus(Duration.ofSeconds(1)), false);
    record("sensors", now.plus(Duration.ofHours(2)), true);
    // gateways: one exactly at the instant (expired), one at exactly 7 days (within the week)
    record("gateways", now, false);
    record("gateways", now.plus(Duration.ofDays(7)), false);

    List<CertificateCensus.LabelCounts> counts = new CertificateCensus(db.jdbi()).count(now);

    assertThat(counts)
        .containsExactlyInAnyOrder(
            new CertificateCensus.LabelCounts("sensors", 3, 1, 1, 1, 2),
            new CertificateCensus.LabelCounts("gateways", 1, 0, 1, 0, 1));
    // A day later, the 12 h and 3 day ones have moved on.
    assertThat(new CertificateCensus(db.jdbi()).count(now.plus(Duration.ofDays(1))))
        .contains(new CertificateCensus.LabelCounts("sensors", 2, 1, 2, 0, 1));
  }

  @Test
  void anEmptyStoreHasNoRows() {
    assertThat(new CertificateCensus(db.jdbi()).count(T0)).isEmpty();
  }

  private void record(String label, Instant notAfter, boolean revoked) {
    CertificateRecord base =
        TestCertificates.cert(
            BigInteger.valueOf(serial++), "CN=c" + serial, T0.minus(Duration.ofDays(400)));
    store.record(
        new CertificateRecord(
            base.serial(),
            base.subject(),
            base.issuer(),
            base.notBefore(),
            notAfter,
            label,
            base.keyAlgorithm(),
            base.sha256(),
            base.gate(),
            base.requester(),
            base.issuedAt(),
            base.der(),
            revoked ? T0.minus(Duration.ofHours(1)) : null,
            revoked ? "keyCompromise" : null,
            base.principal()),
        null);
  }
}
