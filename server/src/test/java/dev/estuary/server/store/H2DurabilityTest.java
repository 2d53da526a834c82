package dev.estuary.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A certificate whose {@code record()} returned survives the JVM being killed (SIGKILL) right
 * after: a child JVM ({@link DurabilityWriter}) records certificates and prints each serial once
 * recorded; it is killed mid-stream, and every printed serial must be in the reopened database.
 */
class H2DurabilityTest {

  /** Kill the writer once it has acknowledged this many records... */
  private static final int KILL_AFTER_RECORDS = 300;

  /** ...or this long after its first one, whichever comes first. */
  private static final long KILL_AFTER_MILLIS = 3_000;

  @TempDir Path dir;

  @Test
  @Timeout(90)
  void everyAcknowledgedRecordSurvivesAKill() throws Exception {
    Path dataDir = dir.resolve("data");
    Path stderr = dir.resolve("writer.err");
    Process writer =
        new ProcessBuilder(
                ProcessHandle.current().info().command().orElseThrow(),
                "-cp",
                System.getProperty("java.class.path"),
                DurabilityWriter.class.getName(),
                dataDir.toString())
            .redirectError(stderr.toFile())
            .start();
    List<BigInteger> acknowledged = new CopyOnWriteArrayList<>();
    Thread reader = Thread.ofPlatform().start(() -> readAcknowledgements(writer, acknowledged));
    try {
      long firstAt = 0;
      while (acknowledged.size() < KILL_AFTER_RECORDS
          && (firstAt == 0 || System.currentTimeMillis() - firstAt < KILL_AFTER_MILLIS)) {
        assertThat(writer.isAlive())
            .as("writer exited early; stderr:\n%s", Files.readString(stderr))
            .isTrue();
        if (firstAt == 0 && !acknowledged.isEmpty()) {
          firstAt = System.currentTimeMillis();
        }
        Thread.sleep(5);
      }
      assertThat(writer.isAlive()).as("killed mid-way, not after it stopped").isTrue();
    } finally {
      writer.destroyForcibly();
    }
    assertThat(writer.waitFor(30, TimeUnit.SECONDS)).isTrue();
    reader.join(TimeUnit.SECONDS.toMillis(30));
    assertThat(writer.exitValue()).as("exit status of SIGKILL").isEqualTo(128 + 9);
    assertThat(acknowledged).as("records acknowledged before the kill").isNotEmpty();
    System.out.printf("killed the writer after %d acknowledged records%n", acknowledged.size());

    try (Database db = Database.open(Database.h2FileUrl(dataDir), "sa", "")) {
      CertificateStore store = new JdbiCertificateStore(db.jdbi());
      List<BigInteger> lost =
          acknowledged.stream().filter(s -> store.findBySerial(s).isEmpty()).toList();
      assertThat(lost)
          .as("acknowledged but lost, of %d acknowledged", acknowledged.size())
          .isEmpty();
      assertThat(store.count()).isGreaterThanOrEqualTo(acknowledged.size());
    }
  }

  private static void readAcknowledgements(Process writer, List<BigInteger> acknowledged) {
    try (BufferedReader out =
        new BufferedReader(
            new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = out.readLine()) != null; ) {
        if (line.startsWith(DurabilityWriter.PREFIX)) {
          acknowledged.add(new BigInteger(line.substring(DurabilityWriter.PREFIX.length())));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
