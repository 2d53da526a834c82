package dev.estuary.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The enrollment cache alone, over a counting stand-in store: reads are served from memory until an
 * invalidation or a write through it, absent enrollments are cached too, a read racing an
 * invalidation does not fill the cache, and the map stays bounded.
 */
class CachingEnrollmentStoreTest {
  /** Answers from fixed values and counts each read. */
  static final class CountingStore implements EnrollmentStore {
    final Map<String, AtomicInteger> reads = new ConcurrentHashMap<>();
    List<HubRecord> hubs = List.of(new HubRecord("h", 1));
    Runnable duringHubRead = () -> {};

    int reads(String what) {
      return reads.computeIfAbsent(what, k -> new AtomicInteger()).get();
    }

    private void count(String what) {
      reads.computeIfAbsent(what, k -> new AtomicInteger()).incrementAndGet();
    }

    @Override
    public WriteOutcome createCaCertificate(CaCertificateRecord ca, String actor) {
      return WriteOutcome.CREATED;
    }

    @Override
    public WriteOutcome updateCaCertificate(CaCertificateRecord ca, String ifEtag, String actor) {
      return WriteOutcome.UPDATED;
    }

    @Override
    public Optional<CaCertificateRecord> findCaCertificate(String name) {
      return Optional.empty();
    }

    @Override
    public List<CaCertificateRecord> listCaCertificates() {
      count("cas");
      return List.of();
    }

    @Override
    public WriteOutcome deleteCaCertificate(String name, String actor) {
      return WriteOutcome.DELETED;
    }

    @Override
    public Optional<EnrollmentRecord> findEnrollment(EnrollmentRecord.Kind kind, String id) {
      count(kind + ":" + id);
      return Optional.empty();
    }

    @Override
    public List<EnrollmentRecord> listEnrollments(EnrollmentRecord.Kind kind) {
      count("list:" + kind);
      return List.of();
    }

    @Override
    public WriteOutcome putEnrollment(EnrollmentRecord enrollment, String ifMatch, String actor) {
      return WriteOutcome.CREATED;
    }

    @Override
    public WriteOutcome deleteEnrollment(
        EnrollmentRecord.Kind kind, String id, String ifMatch, String actor) {
      return WriteOutcome.DELETED;
    }

    @Override
    public void putHub(HubRecord hub, String actor) {}

    @Override
    public List<HubRecord> listHubs() {
      count("hubs");
      List<HubRecord> answer = hubs;
      duringHubRead.run();
      return answer;
    }

    @Override
    public boolean deleteHub(String hostName, String actor) {
      return true;
    }
  }

  private final CountingStore store = new CountingStore();
  private final CachingEnrollmentStore cache = new CachingEnrollmentStore(store);

  @Test
  void anIndividualEnrollmentIsReadOnceUntilInvalidated() {
    assertThat(cache.findEnrollment(EnrollmentRecord.Kind.INDIVIDUAL, "d1")).isEmpty();
    assertThat(cache.findEnrollment(EnrollmentRecord.Kind.INDIVIDUAL, "d1")).isEmpty();
    assertThat(store.reads("INDIVIDUAL:d1")).isEqualTo(1);

    cache.invalidate();
    cache.findEnrollment(EnrollmentRecord.Kind.INDIVIDUAL, "d1");
    assertThat(store.reads("INDIVIDUAL:d1")).isEqualTo(2);
  }

  @Test
  void groupsCaCertificatesAndHubsAreReadOnceUntilAWriteThroughTheCache() {
    for (int i = 0; i < 3; i++) {
      cache.listEnrollments(EnrollmentRecord.Kind.GROUP);
      cache.listCaCertificates();
      assertThat(cache.listHubs()).containsExactly(new HubRecord("h", 1));
    }
    assertThat(store.reads("list:GROUP")).isEqualTo(1);
    assertThat(store.reads("cas")).isEqualTo(1);
    assertThat(store.reads("hubs")).isEqualTo(1);

    cache.deleteHub("h", "test");
    cache.listEnrollments(EnrollmentRecord.Kind.GROUP);
    cache.listCaCertificates();
    cache.listHubs();
    assertThat(store.reads("list:GROUP")).isEqualTo(2);
    assertThat(store.reads("cas")).isEqualTo(2);
    assertThat(store.reads("hubs")).isEqualTo(2);
  }

  @Test
  void aReadRacingAnInvalidationDoesNotFillTheCache() {
    store.hubs = List.of(new HubRecord("old", 1));
    store.duringHubRead =
        () -> { // another replica's change lands while this read is under way
          store.hubs = List.of(new HubRecord("new", 1));
          store.duringHubRead = () -> {};
          cache.invalidate();
        };

    assertThat(cache.listHubs()).containsExactly(new HubRecord("old", 1));
    assertThat(cache.listHubs()).containsExactly(new HubRecord("new", 1));
  }

  @Test
  void individualEnrollmentsStayBounded() {
    for (int i = 0; i < CachingEnrollmentStore.MAX_INDIVIDUALS + 10; i++) {
      cache.findEnrollment(EnrollmentRecord.Kind.INDIVIDUAL, "d" + i);
    }
    assertThat(cache.cachedIndividuals())
        .isPositive()
        .isLessThanOrEqualTo(CachingEnrollmentStore.MAX_INDIVIDUALS);
  }
}
