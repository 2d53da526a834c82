package dev.estuary.bench;

import dev.estuary.pki.Serials;
import dev.estuary.server.config.ServerConfig;
import dev.estuary.server.config.ServerConfigParser;
import dev.estuary.server.store.Database;
import dev.estuary.server.store.ExpiryHours;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Fills a (stopped) server's certificate table with synthetic rows, for the scale target of
 * docs/benchmarks.md: {@code java -cp benchmarks/target/benchmarks.jar dev.estuary.bench.FillStore
 * estuary-data/server.toml 1000000}. Rows have serials as the server draws them ({@link Serials}:
 * stamped with the row's issue time, one second apart, ending now), random thumbprints, subjects
 * {@code CN=fill-N}, and one placeholder DER; an optional third argument spreads them over labels
 * in turn (e.g. {@code device-id,idevid}),: for load, never for a real deployment.
 */
public final class FillStore {
  private FillStore() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 2 && args.length != 3) {
      System.err.println("usage: FillStore <server.toml> <rows> [label,label,...]");
      System.exit(2);
    }
    ServerConfig cfg = ServerConfigParser.parse(Path.of(args[0]));
    long rows = Long.parseLong(args[1]);
    // Rows go to the labels in turn (the console's stacked expiry chart); device-id by default.
    String[] labels = args.length == 3 ? args[2].split(",") : new String[] {"device-id"};
    SecureRandom random = new SecureRandom();
    HexFormat hex = HexFormat.of();
    byte[] der = new byte[480];
    random.nextBytes(der);
    long start = System.nanoTime();
    Map<String, Map<Long, Long>> hours = new TreeMap<>();
    try (Database db =
        Database.open(cfg.database().url(), cfg.database().user(), cfg.database().password(), 2)) {
      try (var c = db.dataSource().getConnection()) {
        c.setAutoCommit(false);
        var ps =
            c.prepareStatement(
                "INSERT INTO certificate (serial, subject, issuer, not_before, not_after, label, key_algorithm, sha256, gate,"
                    + " requester, issued_at, der) VALUES (?, ?, 'CN=Estuary Quickstart device-id CA,O=Estuary', ?, ?, ?,"
                    + " 'EC P-256', ?, 'mtls', 'fill', ?, ?)");
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        for (long i = 0; i < rows; i++) {
          byte[] sha = new byte[32];
          random.nextBytes(sha);
          Instant issued = now.minus(Duration.ofSeconds(rows - i));
          BigInteger serial = new Serials(random, Clock.fixed(issued, ZoneOffset.UTC)).next();
          ps.setBigDecimal(1, new BigDecimal(serial));
          ps.setString(2, "CN=fill-" + i);
          ps.setTimestamp(3, Timestamp.from(issued));
          Instant notAfter = issued.plus(Duration.ofDays(7));
          String label = labels[(int) (i % labels.length)];
          ps.setTimestamp(4, Timestamp.from(notAfter));
          ps.setString(5, label);
          hours
              .computeIfAbsent(label, l -> new TreeMap<>())
              .merge(ExpiryHours.of(notAfter), 1L, Long::sum);
          ps.setString(6, hex.formatHex(sha));
          ps.setTimestamp(7, Timestamp.from(issued));
          ps.setBytes(8, der);
          ps.addBatch();
          if ((i + 1) % 5_000 == 0) {
            ps.executeBatch();
            c.commit();
          }
          if ((i + 1) % 100_000 == 0) {
            System.err.printf("%d rows, %.0f s%n", i + 1, (System.nanoTime() - start) / 1e9);
          }
        }
        ps.executeBatch();
        c.commit();
      }
      // The expiry hours the overview sums (schema V11), as issuance keeps them; no renewals to
      // record: every subject is new.
      List<ExpiryHours.Delta> deltas = new ArrayList<>();
      hours.forEach(
          (label, byHour) ->
              byHour.forEach((h, n) -> deltas.add(new ExpiryHours.Delta(label, h, n, 0))));
      db.jdbi().useTransaction(h -> ExpiryHours.add(h, deltas));
    }
    System.err.printf("filled %d rows in %.0f s%n", rows, (System.nanoTime() - start) / 1e9);
  }
}
