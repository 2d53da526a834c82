package dev.estuary.server.store;

import static dev.estuary.server.store.TestCertificates.T0;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The console overview's figures on H2 and PostgreSQL for a known data set, with certificates on
 * every boundary (exactly now, at midnight and a microsecond after it, exactly a day and a week
 * ahead, exactly 24 hours ago): the figures as counted by hand, and the same as the queries used
 * before the counts were reorganised (one census GROUP BY, one count per day and label, a count and
 * a listing query for the unrenewed ones), which {@link #before} keeps.
 */
@ParameterizedClass
@EnumSource(Backend.class)
class FleetStatisticsTest extends BackendTestCase {
  /** Not a midnight: today's chart bar starts here. */
  private static final Instant NOW = T0.plus(Duration.ofHours(10));

  private JdbiCertificateStore store;
  private long serial = 1;

  @BeforeEach
  void createStore() {
    store = new JdbiCertificateStore(db.jdbi());
  }

  private void knownDataSet() {
    Instant longAgo = NOW.minus(Duration.ofDays(30));
    Instant midnight1 = T0.plus(Duration.ofDays(1));
    Instant midnight30 = T0.plus(Duration.ofDays(30));
    // sensors: 8 valid (4 within a day, 5 within a week), 1 expired, 2 revoked
    record("sensors", "CN=s1", NOW, NOW.plus(Duration.ofHours(1)), false);
    record("sensors", "CN=s2", longAgo, midnight1, false); // on day 0's bar (its end)
    record("sensors", "CN=s3", longAgo, midnight1.plusNanos(1000), false); // day 1
    record("sensors", "CN=s4", longAgo, NOW.plus(Duration.ofDays(1)), false); // day 1, in a day
    record("sensors", "CN=s5", longAgo, NOW.plus(Duration.ofDays(7)), false); // day 7, in a week
    record("sensors", "CN=s6", longAgo, midnight30, false); // the last bar (day 29)
    record("sensors", "CN=s7", longAgo, midnight30.plusNanos(1000), false); // past the chart
    record("sensors", "CN=s8", longAgo, NOW, false); // expired now: unrenewed
    record("sensors", "CN=s9", longAgo, NOW.plus(Duration.ofDays(2)), true);
    record("sensors", "CN=s10", longAgo, NOW.minus(Duration.ofDays(2)), true);
    record(
        "sensors",
        "CN=cross",
        NOW.minus(Duration.ofHours(1)),
        NOW.plus(Duration.ofDays(29)),
        false);
    // gateways: 4 valid (3 within a week), 56 expired, 1 revoked
    for (int i = 0; i < 3; i++) {
      record("gateways", "CN=g" + i, longAgo, T0.plus(Duration.ofHours(4 * 24 + 12)), false);
    }
    for (int i = 1; i <= 52; i++) { // unrenewed, i minutes ago
      record("gateways", "CN=lost-" + i, longAgo, NOW.minus(Duration.ofMinutes(i)), false);
    }
    record("gateways", "CN=renewed", longAgo, NOW.minus(Duration.ofHours(2)), false);
    record(
        "gateways",
        "CN=renewed",
        NOW.minus(Duration.ofHours(3)),
        NOW.plus(Duration.ofDays(30)),
        false);
    // renewed only in another label: still unrenewed in this one
    record("gateways", "CN=cross", longAgo, NOW.minus(Duration.ofHours(3)), false);
    record("gateways", "CN=old", longAgo, NOW.minus(Duration.ofHours(25)), false);
    record(
        "gateways", "CN=edge", NOW.minus(Duration.ofDays(1)), NOW.minus(Duration.ofDays(1)), false);
    record("gateways", "CN=revoked", longAgo, NOW.minus(Duration.ofHours(1)), true);
  }

  @Test
  void theFiguresOfAKnownDataSetAreTheHandCountedOnesAndThoseOfTheFormerQueries() {
    knownDataSet();

    FleetStatistics.Snapshot s = new FleetStatistics(db.jdbi()).compute(NOW);

    assertThat(s.at()).isEqualTo(NOW);
    assertThat(s.census())
        .containsExactlyInAnyOrder(
            new CertificateCensus.LabelCounts("sensors", 8, 2, 1, 4, 5),
            new CertificateCensus.LabelCounts("gateways", 4, 1, 56, 0, 3));
    assertThat(s.firstDay()).isEqualTo(LocalDate.of(2030, 1, 1));
    long[] sensors = new long[FleetStatistics.CHART_DAYS];
    sensors[0] = 2;
    sensors[1] = 2;
    sensors[7] = 1;
    sensors[29] = 2;
    long[] gateways = new long[FleetStatistics.CHART_DAYS];
    gateways[4] = 3;
    assertThat(s.expiring().keySet()).containsExactly("gateways", "sensors");
    assertThat(s.expiring().get("sensors")).containsExactly(sensors);
    assertThat(s.expiring().get("gateways")).containsExactly(gateways);
    long[] hours = new long[24];
    hours[20] = 1; // renewed, 3 hours ago
    hours[22] = 1; // cross, an hour ago
    hours[23] = 1; // s1, now (edge, exactly 24 hours ago, is not in the first hour)
    assertThat(s.issuedPerHour()).containsExactly(hours);
    assertThat(s.unrenewedCount()).isEqualTo(1 + 52 + 1);
    List<String> listed = new ArrayList<>();
    listed.add("CN=s8");
    for (int i = 1; i <= 49; i++) {
      listed.add("CN=lost-" + i);
    }
    assertThat(s.unrenewed())
        .extracting(CertificateRecord::subject)
        .containsExactlyElementsOf(listed);

    Before b = before(db.jdbi(), NOW);
    assertThat(s.census()).containsExactlyInAnyOrderElementsOf(b.census());
    assertThat(s.expiring().keySet()).isEqualTo(b.expiring().keySet());
    b.expiring()
        .forEach((label, days) -> assertThat(s.expiring().get(label)).containsExactly(days));
    assertThat(s.issuedPerHour()).containsExactly(b.perHour());
    assertThat(s.unrenewedCount()).isEqualTo(b.unrenewedCount());
    assertThat(s.unrenewed())
        .extracting(CertificateRecord::serial)
        .containsExactlyElementsOf(b.unrenewed().stream().map(CertificateRecord::serial).toList());
  }

  @Test
  void theMetricsCensusIsTheOverviewsCensus() {
    knownDataSet();
    assertThat(new CertificateCensus(db.jdbi()).count(NOW))
        .containsExactlyInAnyOrderElementsOf(new FleetStatistics(db.jdbi()).compute(NOW).census());
  }

  @Test
  void anEmptyStoreHasNoLabelsAndZeroFigures() {
    FleetStatistics.Snapshot s = new FleetStatistics(db.jdbi()).compute(NOW);
    assertThat(s.census()).isEmpty();
    assertThat(s.expiring()).isEmpty();
    assertThat(s.issuedPerHour()).containsOnly(0L);
    assertThat(s.unrenewedCount()).isZero();
    assertThat(s.unrenewed()).isEmpty();
  }

  @Test
  void theLabelsAreFoundWhateverTheirNamesAndCounts() {
    // a label that is a prefix of another, and one with a single certificate between two
    for (String label : List.of("a", "a-b", "a-b", "m", "z", "z", "z")) {
      record(label, "CN=" + label + serial, NOW, NOW.plus(Duration.ofDays(3)), false);
    }
    assertThat(db.jdbi().withHandle(CertificateCensus::labels))
        .containsExactly("a", "a-b", "m", "z");
    assertThat(new CertificateCensus(db.jdbi()).count(NOW))
        .extracting(CertificateCensus.LabelCounts::valid)
        .containsExactly(1L, 2L, 1L, 3L);
  }

  /** The figures as the overview computed them before (commit d3dd8a9), query for query. */
  record Before(
      List<CertificateCensus.LabelCounts> census,
      Map<String, long[]> expiring,
      long[] perHour,
      long unrenewedCount,
      List<CertificateRecord> unrenewed) {}

  static Before before(Jdbi jdbi, Instant now) {
    LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
    Instant dayAgo = now.minus(Duration.ofDays(1));
    return jdbi.withHandle(
        h -> {
          List<CertificateCensus.LabelCounts> census =
              h.createQuery(
                      "SELECT label,"
                          + " SUM(CASE WHEN revoked_at IS NOT NULL THEN 1 ELSE 0 END) AS revoked,"
                          + " SUM(CASE WHEN revoked_at IS NULL AND not_after <= :now THEN 1 ELSE 0"
                          + " END) AS expired,"
                          + " SUM(CASE WHEN revoked_at IS NULL AND not_after > :now THEN 1 ELSE 0"
                          + " END) AS valid,"
                          + " SUM(CASE WHEN revoked_at IS NULL AND not_after > :now AND not_after"
                          + " <= :day THEN 1 ELSE 0 END) AS expiring_day,"
                          + " SUM(CASE WHEN revoked_at IS NULL AND not_after > :now AND not_after"
                          + " <= :week THEN 1 ELSE 0 END) AS expiring_week"
                          + " FROM certificate GROUP BY label")
                  .bind("now", now)
                  .bind("day", now.plus(Duration.ofDays(1)))
                  .bind("week", now.plus(Duration.ofDays(7)))
                  .map(
                      (rs, ctx) ->
                          new CertificateCensus.LabelCounts(
                              rs.getString("label"),
                              rs.getLong("valid"),
                              rs.getLong("revoked"),
                              rs.getLong("expired"),
                              rs.getLong("expiring_day"),
                              rs.getLong("expiring_week")))
                  .list();
          Map<String, long[]> expiring = new TreeMap<>();
          long unrenewedCount = 0;
          List<CertificateRecord> unrenewed = new ArrayList<>();
          for (CertificateCensus.LabelCounts lc : census) {
            long[] days = new long[FleetStatistics.CHART_DAYS];
            for (int d = 0; d < FleetStatistics.CHART_DAYS; d++) {
              Instant from = today.plusDays(d).atStartOfDay(ZoneOffset.UTC).toInstant();
              Instant to = today.plusDays(d + 1L).atStartOfDay(ZoneOffset.UTC).toInstant();
              days[d] =
                  h.createQuery(
                          "SELECT COUNT(*) FROM certificate WHERE label = :label"
                              + " AND not_after > :from AND not_after <= :to"
                              + " AND revoked_at IS NULL")
                      .bind("label", lc.label())
                      .bind("from", from.isBefore(now) ? now : from)
                      .bind("to", to)
                      .mapTo(Long.class)
                      .one();
            }
            expiring.put(lc.label(), days);
            unrenewedCount +=
                h.createQuery("SELECT COUNT(*)" + FleetStatistics.UNRENEWED)
                    .bind("label", lc.label())
                    .bind("dayAgo", dayAgo)
                    .bind("now", now)
                    .mapTo(Long.class)
                    .one();
            unrenewed.addAll(
                h
                    .createQuery(
                        "SELECT c.serial"
                            + FleetStatistics.UNRENEWED
                            + " ORDER BY c.not_after DESC LIMIT "
                            + FleetStatistics.MAX_UNRENEWED_LISTED)
                    .bind("label", lc.label())
                    .bind("dayAgo", dayAgo)
                    .bind("now", now)
                    .mapTo(BigInteger.class)
                    .list()
                    .stream()
                    .map(
                        n ->
                            h.createQuery(
                                    "SELECT "
                                        + JdbiCertificateStore.COLUMNS
                                        + " FROM certificate WHERE serial = :serial")
                                .bind("serial", n)
                                .map((rs, ctx) -> JdbiCertificateStore.mapRow(rs))
                                .one())
                    .toList());
          }
          long[] perHour = new long[24];
          for (int i = 0; i < 24; i++) {
            perHour[i] =
                h.createQuery(
                        "SELECT COUNT(*) FROM certificate WHERE issued_at > :from"
                            + " AND issued_at <= :to")
                    .bind("from", now.minus(Duration.ofHours(24L - i)))
                    .bind("to", now.minus(Duration.ofHours(23L - i)))
                    .mapTo(Long.class)
                    .one();
          }
          unrenewed.sort((x, y) -> y.notAfter().compareTo(x.notAfter()));
          return new Before(
              census,
              expiring,
              perHour,
              unrenewedCount,
              List.copyOf(
                  unrenewed.subList(
                      0, Math.min(FleetStatistics.MAX_UNRENEWED_LISTED, unrenewed.size()))));
        });
  }

  private void record(
      String label, String subject, Instant issuedAt, Instant notAfter, boolean revoked) {
    CertificateRecord base = TestCertificates.cert(BigInteger.valueOf(serial++), subject, issuedAt);
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
            revoked ? NOW.minus(Duration.ofHours(1)) : null,
            revoked ? "keyCompromise" : null,
            base.principal()),
        null);
  }
}
