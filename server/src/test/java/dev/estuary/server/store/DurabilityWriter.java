package dev.estuary.server.store;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The child process of {@link H2DurabilityTest}: records certificates on a few threads as fast as
 * it can and prints {@code RECORDED <serial>} after each {@link CertificateStore#record} returns,
 * until it is killed (or, if nobody kills it, for at most {@link #LIFETIME}).
 *
 * <p>Usage: {@code DurabilityWriter <h2-data-dir>}
 */
public final class DurabilityWriter {

  static final String PREFIX = "RECORDED ";
  static final Duration LIFETIME = Duration.ofSeconds(30);
  private static final int THREADS = 4;

  private DurabilityWriter() {}

  public static void main(String[] args) {
    long deadline = System.nanoTime() + LIFETIME.toNanos();
    Database db = Database.open(Database.h2FileUrl(Path.of(args[0])), "sa", "");
    CertificateStore store = new JdbiCertificateStore(db.jdbi());
    ExecutorService executor = Executors.newFixedThreadPool(THREADS);
    for (int t = 0; t < THREADS; t++) {
      long first = (t + 1) * 1_000_000L;
      executor.execute(
          () -> {
            for (long serial = first; System.nanoTime() < deadline; serial++) {
              store.record(TestCertificates.cert(serial), null);
              synchronized (System.out) {
                System.out.println(PREFIX + serial);
                System.out.flush();
              }
            }
          });
    }
    executor.close();
    db.close();
  }
}
