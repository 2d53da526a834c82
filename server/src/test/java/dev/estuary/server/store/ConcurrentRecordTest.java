package dev.estuary.server.store;

import static dev.estuary.server.store.TestCertificates.T0;
import static dev.estuary.server.store.TestCertificates.cert;
import static dev.estuary.server.store.TestCertificates.secret;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Many virtual threads recording at once, through the default-sized pool. */
@ParameterizedClass
@EnumSource(Backend.class)
@Timeout(120)
class ConcurrentRecordTest extends BackendTestCase {

  private CertificateStore certs;
  private CredentialStore credentials;

  @BeforeEach
  void createStores() {
    certs = new JdbiCertificateStore(db.jdbi());
    credentials = new JdbiCredentialStore(db.jdbi());
  }

  @Test
  void fiftyConcurrentUsesOfATenUseSecretExactlyTenSucceed() throws Exception {
    credentials.createSecret(secret("ten", 10, null));

    List<Outcome> outcomes = runConcurrently(50, i -> () -> certs.record(cert(1000 + i), "ten"));

    assertThat(outcomes).filteredOn(o -> o == Outcome.RECORDED).hasSize(10);
    assertThat(outcomes).filteredOn(o -> o == Outcome.USED_UP).hasSize(40);
    assertThat(certs.count()).isEqualTo(10);
    assertThat(credentials.findSecret("ten").orElseThrow().usesRemaining()).isZero();
  }

  @Test
  void threeHundredConcurrentRecordsWithAnUnlimitedSecretAllLand() throws Exception {
    credentials.createSecret(secret("unlimited", null, null));

    List<Outcome> outcomes =
        runConcurrently(300, i -> () -> certs.record(cert(5000 + i), "unlimited"));

    assertThat(outcomes).containsOnly(Outcome.RECORDED);
    assertThat(certs.count()).isEqualTo(300);
    assertThat(credentials.findSecret("unlimited").orElseThrow().usesRemaining()).isNull();
  }

  @Test
  void concurrentRecordsOfOneSerialExactlyOneSucceeds() throws Exception {
    credentials.createSecret(secret("many", 100, null));

    List<Outcome> outcomes =
        runConcurrently(
            30, i -> () -> certs.record(cert(BigInteger.valueOf(77), "CN=racer-" + i, T0), "many"));

    assertThat(outcomes).filteredOn(o -> o == Outcome.RECORDED).hasSize(1);
    assertThat(outcomes).filteredOn(o -> o == Outcome.DUPLICATE_SERIAL).hasSize(29);
    assertThat(certs.count()).isEqualTo(1);
    // Only the winner's use is consumed: the losers' were rolled back with their inserts.
    assertThat(credentials.findSecret("many").orElseThrow().usesRemaining()).isEqualTo(99);
  }

  private enum Outcome {
    RECORDED,
    USED_UP,
    DUPLICATE_SERIAL
  }

  /**
   * Runs {@code count} tasks on virtual threads, released together; any other exception fails the
   * test.
   */
  private static List<Outcome> runConcurrently(int count, IntFunction<Runnable> task)
      throws Exception {
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Outcome>> futures = new ArrayList<>();
    try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < count; i++) {
        Runnable r = task.apply(i);
        futures.add(
            executor.submit(
                () -> {
                  start.await();
                  try {
                    r.run();
                    return Outcome.RECORDED;
                  } catch (DuplicateSerialException e) {
                    return Outcome.DUPLICATE_SERIAL;
                  } catch (SecretRefusedException e) {
                    assertThat(e.reason()).isEqualTo(SecretRefusedException.USED_UP);
                    return Outcome.USED_UP;
                  }
                }));
      }
      start.countDown();
    }
    List<Outcome> outcomes = new ArrayList<>();
    for (Future<Outcome> f : futures) {
      outcomes.add(f.get());
    }
    return outcomes;
  }
}
