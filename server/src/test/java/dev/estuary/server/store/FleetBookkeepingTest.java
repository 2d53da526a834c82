package dev.estuary.server.store;

import static dev.estuary.server.store.TestCertificates.T0;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What issuance and revocation keep for the console's overview (schema V11), on H2 and PostgreSQL:
 * {@code renewed_at}, the first later certificate's issue time for the same subject in the same
 * label, and the expiry hours ({@code certificate_expiry}), which must always equal a recount of
 * the certificates; and V11's backfill of both for the certificates recorded before it.
 */
@ParameterizedClass
@EnumSource(Backend.class)
class FleetBookkeepingTest extends BackendTestCase {
  private static final Instant NOW = T0.plus(Duration.ofHours(10));

  private JdbiCertificateStore store;
  private long serial = 1;

  @BeforeEach
  void createStore() {
    store = new JdbiCertificateStore(db.jdbi());
  }

  @Test
  void aLaterCertificateForTheSameSubjectAndLabelRecordsTheRenewalOfTheOneBeforeIt() {
    CertificateRecord first = record("sensors", "CN=d1", NOW.minus(Duration.ofDays(20)), NOW);
    CertificateRecord second = record("sensors", "CN=d1", NOW.minus(Duration.ofDays(10)), NOW);
    CertificateRecord third = record("sensors", "CN=d1", NOW.minus(Duration.ofDays(1)), NOW);

    assertThat(renewedAt(first)).isEqualTo(second.issuedAt());
    assertThat(renewedAt(second)).isEqualTo(third.issuedAt());
    assertThat(renewedAt(third)).isNull();
  }

  @Test
  void anotherSubjectOrAnotherLabelIsNoRenewal() {
    CertificateRecord d1 = record("sensors", "CN=d1", NOW.minus(Duration.ofDays(2)), NOW);
    record("sensors", "CN=d2", NOW.minus(Duration.ofDays(1)), NOW);
    record("gateways", "CN=d1", NOW.minus(Duration.ofDays(1)), NOW);

    assertThat(renewedAt(d1)).isNull();
  }

  @Test
  void aCertificateRecordedAfterALaterOneIsRenewedByItAndTheOneBeforeItByTheFirstLaterOne() {
    CertificateRecord before = record("sensors", "CN=d1", NOW.minus(Duration.ofDays(30)), NOW);
    CertificateRecord latest = record("sensors", "CN=d1", NOW.minus(Duration.ofDays(1)), NOW);
    // recorded last, issued between them (a restore, another replica's clock)
    CertificateRecord between = record("sensors", "CN=d1", NOW.minus(Duration.ofDays(10)), NOW);

    assertThat(renewedAt(between)).isEqualTo(latest.issuedAt());
    assertThat(renewedAt(before)).isEqualTo(between.issuedAt());
    assertThat(renewedAt(latest)).isNull();
  }

  @Test
  void twoCertificatesForOneSubjectInOneTransactionRenewInTheirOrderOfIssue() {
    CertificateRecord before = record("sensors", "CN=d1", NOW.minus(Duration.ofDays(30)), NOW);
    CertificateRecord a = cert("sensors", "CN=d1", NOW.minus(Duration.ofHours(2)), NOW);
    CertificateRecord b = cert("sensors", "CN=d1", NOW.minus(Duration.ofHours(1)), NOW);
    db.jdbi()
        .useTransaction(
            h -> {
              for (CertificateRecord c : List.of(b, a)) {
                JdbiCertificateStore.bind(h.createUpdate(JdbiCertificateStore.INSERT), c).execute();
              }
              JdbiCertificateStore.recordRenewals(h, List.of(b, a)); // a batch, in any order
            });

    assertThat(renewedAt(before)).isEqualTo(a.issuedAt());
    assertThat(renewedAt(a)).isEqualTo(b.issuedAt());
    assertThat(renewedAt(b)).isNull();
  }

  @Test
  void aCertificateRenewedAfterItExpiredIsNotUnrenewedAndARevokedOneNeverIs() {
    record("sensors", "CN=late", NOW.minus(Duration.ofDays(7)), NOW.minus(Duration.ofHours(2)));
    record("sensors", "CN=late", NOW.minus(Duration.ofHours(1)), NOW.plus(Duration.ofDays(7)));
    CertificateRecord lost =
        record("sensors", "CN=lost", NOW.minus(Duration.ofDays(7)), NOW.minus(Duration.ofHours(3)));
    CertificateRecord revoked =
        record("sensors", "CN=gone", NOW.minus(Duration.ofDays(7)), NOW.minus(Duration.ofHours(4)));
    store.revoke(revoked.serial(), "keyCompromise", NOW.minus(Duration.ofDays(1)));

    FleetStatistics.Snapshot s = new FleetStatistics(db.jdbi()).compute(NOW);

    assertThat(s.unrenewedCount()).isEqualTo(1);
    assertThat(s.unrenewed()).extracting(CertificateRecord::serial).containsExactly(lost.serial());
    assertThat(s.unrenewedCount())
        .isEqualTo(FleetStatisticsTest.before(db.jdbi(), NOW).unrenewedCount());
  }

  @Test
  void theExpiryHoursAreARecountOfTheCertificatesThroughIssuanceAndBothRevocations() {
    Instant hourEnd = T0.plus(Duration.ofHours(30)); // the end of an hour
    List<CertificateRecord> certs = new ArrayList<>();
    for (Instant notAfter :
        List.of(
            hourEnd,
            hourEnd.minusNanos(1000),
            hourEnd.plusNanos(1000),
            hourEnd.plusNanos(1500), // kept to the microsecond
            hourEnd.plus(Duration.ofMinutes(59)),
            NOW.minus(Duration.ofDays(400)))) {
      certs.add(record("sensors", "CN=s" + serial, NOW, notAfter));
      certs.add(record("gateways", "CN=g" + serial, NOW, notAfter));
    }
    assertThat(hours()).isEqualTo(recount());
    assertThat(ExpiryHours.of(hourEnd)).isEqualTo(ExpiryHours.of(hourEnd.minusNanos(1000)));
    assertThat(ExpiryHours.of(hourEnd.plusNanos(1000))).isEqualTo(ExpiryHours.of(hourEnd) + 1);

    store.revoke(certs.get(0).serial(), "keyCompromise", NOW);
    new JdbiRevocationStore(db.jdbi())
        .revoke(certs.get(3).serial(), null, "superseded", NOW, null, "token:test");
    // a second revocation changes nothing
    store.revoke(certs.get(0).serial(), "keyCompromise", NOW.plusSeconds(1));
    new JdbiRevocationStore(db.jdbi())
        .revoke(certs.get(3).serial(), null, "superseded", NOW, null, "token:test");
    // and one recorded revoked (as a restore might) is counted revoked from the start
    recordRevoked("gateways", "CN=r", NOW, hourEnd);

    assertThat(hours()).isEqualTo(recount());
    assertThat(hours().get("sensors " + ExpiryHours.of(hourEnd))).containsExactly(2L, 1L);
    assertThat(hours().get("gateways " + ExpiryHours.of(hourEnd))).containsExactly(3L, 2L);
  }

  @Test
  void theMigrationBackfillsRenewalsAndExpiryHoursAsIssuanceWouldHaveKeptThem() throws Exception {
    TestDatabase v10 = backend.create(tempDir.resolve("v10"));
    try {
      Flyway.configure()
          .dataSource(v10.url(), v10.user(), v10.password())
          .locations("classpath:db/migration")
          .target("10")
          .load()
          .migrate();
      Jdbi jdbi = Jdbi.create(v10.url(), v10.user(), v10.password());
      StoreColumnTypes.register(jdbi);
      Instant hourEnd = T0.plus(Duration.ofHours(30));
      List<CertificateRecord> before = new ArrayList<>();
      before.add(cert("sensors", "CN=d1", NOW.minus(Duration.ofDays(20)), hourEnd));
      before.add(cert("sensors", "CN=d1", NOW.minus(Duration.ofDays(10)), hourEnd.plusNanos(1000)));
      before.add(cert("sensors", "CN=d1", NOW.minus(Duration.ofDays(1)), hourEnd.minusNanos(1000)));
      before.add(cert("gateways", "CN=d1", NOW.minus(Duration.ofDays(5)), NOW));
      before.add(cert("gateways", "CN=d2", NOW.minus(Duration.ofDays(5)), NOW));
      jdbi.useHandle(
          h -> {
            for (CertificateRecord c : before) {
              JdbiCertificateStore.bind(h.createUpdate(JdbiCertificateStore.INSERT_ROW), c)
                  .execute();
            }
            h.createUpdate("UPDATE certificate SET revoked_at = :at WHERE serial = :serial")
                .bind("at", NOW)
                .bind("serial", before.get(4).serial())
                .execute();
          });

      db.close();
      db = v10.open(); // migrated to V11: the helpers below read it
      assertThat(renewedAt(before.get(0))).isEqualTo(before.get(1).issuedAt());
      assertThat(renewedAt(before.get(1))).isEqualTo(before.get(2).issuedAt());
      assertThat(renewedAt(before.get(2))).isNull();
      assertThat(renewedAt(before.get(3))).isNull();
      assertThat(hours()).isEqualTo(recount());
      assertThat(hours().get("sensors " + ExpiryHours.of(hourEnd))).containsExactly(2L, 0L);
      assertThat(hours().get("gateways " + ExpiryHours.of(NOW))).containsExactly(2L, 1L);

      // and issuance carries on from there
      store = new JdbiCertificateStore(db.jdbi());
      CertificateRecord next = record("sensors", "CN=d1", NOW, hourEnd);
      assertThat(renewedAt(before.get(2))).isEqualTo(next.issuedAt());
      assertThat(hours().get("sensors " + ExpiryHours.of(hourEnd))).containsExactly(3L, 0L);
    } finally {
      if (db != null) {
        db.close();
        db = null;
      }
      v10.close();
    }
  }

  /** certificate_expiry as "label hour" to {certificates, revoked}. */
  private Map<String, List<Long>> hours() {
    return db.jdbi()
        .withHandle(
            h ->
                h.createQuery(
                        "SELECT label, expiry_hour, certificates, revoked FROM certificate_expiry")
                    .reduceRows(
                        new TreeMap<String, List<Long>>(),
                        (m, row) -> {
                          m.put(
                              row.getColumn("label", String.class)
                                  + " "
                                  + row.getColumn("expiry_hour", Long.class),
                              List.of(
                                  row.getColumn("certificates", Long.class),
                                  row.getColumn("revoked", Long.class)));
                          return m;
                        }));
  }

  /** The same counted from the certificates, by V11's expression for the hour. */
  private Map<String, List<Long>> recount() {
    return db.jdbi()
        .withHandle(
            h ->
                h.createQuery(
                        "SELECT label, h, COUNT(*) AS n, COUNT(revoked_at) AS r FROM (SELECT label,"
                            + " revoked_at, (CAST(EXTRACT(EPOCH FROM not_after) * 1000000 AS"
                            + " BIGINT) - 1) / 3600000000 + 1 AS h FROM certificate) e"
                            + " GROUP BY label, h")
                    .reduceRows(
                        new TreeMap<String, List<Long>>(),
                        (m, row) -> {
                          m.put(
                              row.getColumn("label", String.class)
                                  + " "
                                  + row.getColumn("h", Long.class),
                              List.of(
                                  row.getColumn("n", Long.class), row.getColumn("r", Long.class)));
                          return m;
                        }));
  }

  private Instant renewedAt(CertificateRecord c) {
    return db.jdbi()
        .withHandle(
            h ->
                h.createQuery("SELECT renewed_at FROM certificate WHERE serial = :serial")
                    .bind("serial", c.serial())
                    .mapTo(Instant.class)
                    .one());
  }

  private CertificateRecord record(
      String label, String subject, Instant issuedAt, Instant notAfter) {
    CertificateRecord c = cert(label, subject, issuedAt, notAfter);
    store.record(c, null);
    return c;
  }

  private void recordRevoked(String label, String subject, Instant issuedAt, Instant notAfter) {
    CertificateRecord c = cert(label, subject, issuedAt, notAfter);
    store.record(
        new CertificateRecord(
            c.serial(),
            c.subject(),
            c.issuer(),
            c.notBefore(),
            c.notAfter(),
            c.label(),
            c.keyAlgorithm(),
            c.sha256(),
            c.gate(),
            c.requester(),
            c.issuedAt(),
            c.der(),
            issuedAt,
            "keyCompromise",
            c.principal()),
        null);
  }

  private CertificateRecord cert(String label, String subject, Instant issuedAt, Instant notAfter) {
    CertificateRecord base = TestCertificates.cert(BigInteger.valueOf(serial++), subject, issuedAt);
    return new CertificateRecord(
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
        null,
        null,
        base.principal());
  }
}
