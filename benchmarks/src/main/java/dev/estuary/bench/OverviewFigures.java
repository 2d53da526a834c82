package dev.estuary.bench;

import dev.estuary.server.config.ServerConfig;
import dev.estuary.server.config.ServerConfigParser;
import dev.estuary.server.store.CertificateSearch;
import dev.estuary.server.store.Database;
import dev.estuary.server.store.FleetStatistics;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * Times, against a (stopped) server's store, what the console's overview computes ({@link
 * FleetStatistics#compute}) and the search for expired certificates without a label, RUNS times in
 * one JVM: wall and this thread's CPU time (the embedded H2 runs its queries on the calling
 * thread), with the load average at each run. docs/benchmarks.md, "The console with 1,000,000
 * certificates": {@code java -cp benchmarks/target/benchmarks.jar dev.estuary.bench.OverviewFigures
 * DIR/server.toml [RUNS]} after {@code scripts/console-bench.sh --data-dir DIR} has filled DIR and
 * stopped its server.
 */
public final class OverviewFigures {
  private OverviewFigures() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 1 || args.length > 2) {
      System.err.println("usage: OverviewFigures <server.toml> [runs]");
      System.exit(2);
    }
    ServerConfig cfg = ServerConfigParser.parse(Path.of(args[0]));
    int runs = args.length == 2 ? Integer.parseInt(args[1]) : 5;
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    try (Database db =
        Database.open(cfg.database().url(), cfg.database().user(), cfg.database().password(), 2)) {
      FleetStatistics statistics = new FleetStatistics(db.jdbi());
      CertificateSearch search = new CertificateSearch(db.jdbi());
      CertificateSearch.Criteria expired =
          new CertificateSearch.Criteria(null, null, null, CertificateSearch.Status.EXPIRED, null);
      for (int i = 1; i <= runs; i++) {
        String load = loadAverage();
        long w0 = System.nanoTime();
        long c0 = cpu.getCurrentThreadCpuTime();
        FleetStatistics.Snapshot s = statistics.compute(Instant.now());
        long w1 = System.nanoTime();
        long c1 = cpu.getCurrentThreadCpuTime();
        int rows = search.search(expired, null, 50, Instant.now()).rows().size();
        long w2 = System.nanoTime();
        long c2 = cpu.getCurrentThreadCpuTime();
        System.out.printf(
            "run %d: overview figures %d ms (cpu %d ms; %d unrenewed) | search expired, no label"
                + " %d ms (cpu %d ms; %d rows) | load average %s%n",
            i,
            (w1 - w0) / 1_000_000,
            (c1 - c0) / 1_000_000,
            s.unrenewedCount(),
            (w2 - w1) / 1_000_000,
            (c2 - c1) / 1_000_000,
            rows,
            load);
      }
    }
  }

  private static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (Exception e) {
      return "unknown";
    }
  }
}
