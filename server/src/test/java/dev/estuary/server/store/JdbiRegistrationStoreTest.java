package dev.estuary.server.store;

import static dev.estuary.server.store.TestCertificates.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.estuary.server.store.EnrollmentRecord.Kind;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

@ParameterizedClass
@EnumSource(Backend.class)
class JdbiRegistrationStoreTest extends BackendTestCase {

  private JdbiRegistrationStore store;

  @BeforeEach
  void createStore() {
    store = new JdbiRegistrationStore(db.jdbi());
  }

  @AfterEach
  void closeStore() {
    store.close();
  }

  static RegistrationRecord registration(String id, String hub, String sha256, Instant at) {
    return new RegistrationRecord(
        id,
        Kind.GROUP,
        "edge",
        id,
        hub,
        "initialAssignment",
        new byte[] {9},
        sha256,
        "etag-" + sha256,
        at,
        at);
  }

  static StoredOperation operation(String opId, String regId, Instant at) {
    return new StoredOperation(opId, regId, at, "{\"operationId\":\"" + opId + "\"}");
  }

  @Test
  void aRegistrationAndItsOperationAreCommittedTogether() {
    store.record(
        registration("dev-1", "hub-a", "s1", T0),
        operation("op-1", "dev-1", T0),
        T0.minus(Duration.ofDays(1)));

    assertThat(store.find("dev-1"))
        .get()
        .satisfies(
            r -> {
              assertThat(r.assignedHub()).isEqualTo("hub-a");
              assertThat(r.certificateSha256()).isEqualTo("s1");
              assertThat(r.createdAt()).isEqualTo(T0);
            });
    assertThat(store.findOperation("op-1")).contains(operation("op-1", "dev-1", T0));
    assertThat(store.findOperation("op-2")).isEmpty();
  }

  @Test
  void aReRegistrationReplacesTheRecordButKeepsItsCreationTime() {
    store.record(registration("dev-1", "hub-a", "s1", T0), operation("op-1", "dev-1", T0), T0);
    Instant later = T0.plus(Duration.ofHours(1));
    store.record(
        registration("dev-1", "hub-a", "s2", later), operation("op-2", "dev-1", later), T0);

    RegistrationRecord r = store.find("dev-1").orElseThrow();
    assertThat(r.certificateSha256()).isEqualTo("s2");
    assertThat(r.createdAt()).isEqualTo(T0);
    assertThat(r.lastUpdatedAt()).isEqualTo(later);
    assertThat(store.findOperation("op-1")).as("not yet forgotten").isPresent();
  }

  @Test
  void operationsOlderThanTheHorizonAreForgotten() {
    store.record(registration("dev-1", "hub-a", "s1", T0), operation("op-old", "dev-1", T0), T0);
    Instant later = T0.plus(Duration.ofDays(2));
    store.record(
        registration("dev-2", "hub-a", "s2", later),
        operation("op-new", "dev-2", later),
        later.minus(Duration.ofDays(1)));

    assertThat(store.findOperation("op-old")).isEmpty();
    assertThat(store.findOperation("op-new")).isPresent();
  }

  @Test
  void registrationsAreCountedPerHubListedPerEnrollmentAndDeleted() {
    store.record(registration("dev-2", "hub-a", "s2", T0), operation("op-2", "dev-2", T0), T0);
    store.record(registration("dev-1", "hub-a", "s1", T0), operation("op-1", "dev-1", T0), T0);
    store.record(registration("dev-3", "hub-b", "s3", T0), operation("op-3", "dev-3", T0), T0);

    assertThat(store.countByHub()).isEqualTo(Map.of("hub-a", 2L, "hub-b", 1L));
    assertThat(store.listByEnrollment(Kind.GROUP, "edge"))
        .extracting(RegistrationRecord::registrationId)
        .containsExactly("dev-1", "dev-2", "dev-3");
    assertThat(store.listByEnrollment(Kind.INDIVIDUAL, "edge")).isEmpty();
    assertThat(store.delete("dev-1")).isTrue();
    assertThat(store.delete("dev-1")).isFalse();
    assertThat(store.find("dev-1")).isEmpty();
  }

  @Test
  void concurrentFirstRegistrationsOfOneIdAllCommit() throws Exception {
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> calls = new ArrayList<>();
    try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < 10; i++) {
        int n = i;
        calls.add(
            executor.submit(
                () -> {
                  start.await();
                  store.record(
                      registration("racer", "hub-a", "s" + n, T0),
                      operation("op-" + n, "racer", T0),
                      T0);
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> f : calls) {
        f.get();
      }
    }
    assertThat(store.find("racer")).isPresent();
    for (int i = 0; i < 10; i++) {
      assertThat(store.findOperation("op-" + i)).as("op-%d", i).isPresent();
    }
  }

  @Test
  void oneFailingRegistrationAmongConcurrentOnesFailsAloneAndTheOthersCommit() throws Exception {
    store.record(registration("first", "hub-a", "s0", T0), operation("op-taken", "first", T0), T0);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> calls = new ArrayList<>();
    try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < 20; i++) {
        int n = i;
        // Device 7's operation id is taken: its insert fails, whatever batch it lands in.
        String opId = n == 7 ? "op-taken" : "op-" + n;
        calls.add(
            executor.submit(
                () -> {
                  start.await();
                  store.record(
                      registration("dev-" + n, "hub-a", "s" + n, T0),
                      operation(opId, "dev-" + n, T0),
                      T0);
                  return null;
                }));
      }
      start.countDown();
      for (int i = 0; i < 20; i++) {
        if (i == 7) {
          assertThatThrownBy(calls.get(i)::get).hasCauseInstanceOf(RuntimeException.class);
        } else {
          calls.get(i).get();
        }
      }
    }
    for (int i = 0; i < 20; i++) {
      if (i != 7) {
        assertThat(store.find("dev-" + i)).as("dev-%d", i).isPresent();
        assertThat(store.findOperation("op-" + i)).as("op-%d", i).isPresent();
      }
    }
    assertThat(store.find("dev-7")).as("nothing of the failed registration").isEmpty();
    assertThat(store.findOperation("op-taken").orElseThrow().registrationId()).isEqualTo("first");
  }

  @Test
  void aClosedStoreRefusesToRecord() {
    store.close();
    assertThatThrownBy(
            () -> store.record(registration("d", "hub-a", "s", T0), operation("o", "d", T0), T0))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }
}
