package dev.estuary.server.store;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * What the provisioning path reads on every registration (the individual enrollment of the
 * registration id, the group enrollments, the CA certificates, the linked hubs), kept in memory in
 * front of another {@link EnrollmentStore}. The cache is dropped by every write through it and by
 * {@link #invalidate()}, which the {@link ChangeFeed} calls when any replica changed an enrollment,
 * a CA certificate or a hub: another replica's change is seen within the feed's bound.
 *
 * <p>A read that began before an invalidation never fills the cache with what it read (each entry
 * carries the cache's version at the start of its read). Individual enrollments are kept for at
 * most {@link #MAX_INDIVIDUALS} registration ids (absent ones too, so an unknown id does not reach
 * the database on every try); beyond that the map is emptied and fills again.
 */
public final class CachingEnrollmentStore implements EnrollmentStore {
  /** The most individual enrollments (or their absence) kept. */
  public static final int MAX_INDIVIDUALS = 10_000;

  private record Entry<T>(T value, long version) {}

  private final EnrollmentStore store;
  private final AtomicLong version = new AtomicLong();
  private final ConcurrentHashMap<String, Entry<Optional<EnrollmentRecord>>> individuals =
      new ConcurrentHashMap<>();
  private volatile Entry<List<EnrollmentRecord>> groups;
  private volatile Entry<List<CaCertificateRecord>> cas;
  private volatile Entry<List<HubRecord>> hubs;

  public CachingEnrollmentStore(EnrollmentStore store) {
    this.store = store;
  }

  /** Follows {@code feed}: any replica's change of these drops the cache. */
  public CachingEnrollmentStore following(ChangeFeed feed) {
    feed.subscribe(ChangeFeed.Topic.ENROLLMENT, this::invalidate);
    feed.subscribe(ChangeFeed.Topic.CA_CERTIFICATE, this::invalidate);
    feed.subscribe(ChangeFeed.Topic.HUB, this::invalidate);
    return this;
  }

  /** Forgets everything cached. */
  public void invalidate() {
    version.incrementAndGet();
    individuals.clear();
    groups = null;
    cas = null;
    hubs = null;
  }

  /** How many individual enrollments (or absences) are cached now. */
  int cachedIndividuals() {
    return individuals.size();
  }

  private <T> Entry<T> load(Supplier<T> reader) {
    long v = version.get();
    return new Entry<>(reader.get(), v);
  }

  private boolean current(Entry<?> e) {
    return e != null && e.version() == version.get();
  }

  @Override
  public Optional<EnrollmentRecord> findEnrollment(EnrollmentRecord.Kind kind, String id) {
    if (kind != EnrollmentRecord.Kind.INDIVIDUAL) {
      return store.findEnrollment(kind, id);
    }
    Entry<Optional<EnrollmentRecord>> e = individuals.get(id);
    if (current(e)) {
      return e.value();
    }
    Entry<Optional<EnrollmentRecord>> loaded = load(() -> store.findEnrollment(kind, id));
    if (current(loaded)) {
      if (individuals.size() >= MAX_INDIVIDUALS) {
        individuals.clear();
      }
      individuals.put(id, loaded);
      if (!current(loaded)) {
        // invalidated while putting: do not leave what may be stale
        individuals.remove(id, loaded);
      }
    }
    return loaded.value();
  }

  @Override
  public List<EnrollmentRecord> listEnrollments(EnrollmentRecord.Kind kind) {
    if (kind != EnrollmentRecord.Kind.GROUP) {
      return store.listEnrollments(kind);
    }
    Entry<List<EnrollmentRecord>> e = groups;
    if (current(e)) {
      return e.value();
    }
    Entry<List<EnrollmentRecord>> loaded =
        load(() -> List.copyOf(store.listEnrollments(EnrollmentRecord.Kind.GROUP)));
    if (current(loaded)) {
      groups = loaded;
      if (!current(loaded)) {
        groups = null;
      }
    }
    return loaded.value();
  }

  @Override
  public List<CaCertificateRecord> listCaCertificates() {
    Entry<List<CaCertificateRecord>> e = cas;
    if (current(e)) {
      return e.value();
    }
    Entry<List<CaCertificateRecord>> loaded = load(() -> List.copyOf(store.listCaCertificates()));
    if (current(loaded)) {
      cas = loaded;
      if (!current(loaded)) {
        cas = null;
      }
    }
    return loaded.value();
  }

  @Override
  public List<HubRecord> listHubs() {
    Entry<List<HubRecord>> e = hubs;
    if (current(e)) {
      return e.value();
    }
    Entry<List<HubRecord>> loaded = load(() -> List.copyOf(store.listHubs()));
    if (current(loaded)) {
      hubs = loaded;
      if (!current(loaded)) {
        hubs = null;
      }
    }
    return loaded.value();
  }

  @Override
  public Optional<CaCertificateRecord> findCaCertificate(String name) {
    return store.findCaCertificate(name);
  }

  @Override
  public WriteOutcome createCaCertificate(CaCertificateRecord ca, String actor) {
    try {
      return store.createCaCertificate(ca, actor);
    } finally {
      invalidate();
    }
  }

  @Override
  public WriteOutcome updateCaCertificate(CaCertificateRecord ca, String ifEtag, String actor) {
    try {
      return store.updateCaCertificate(ca, ifEtag, actor);
    } finally {
      invalidate();
    }
  }

  @Override
  public WriteOutcome deleteCaCertificate(String name, String actor) {
    try {
      return store.deleteCaCertificate(name, actor);
    } finally {
      invalidate();
    }
  }

  @Override
  public WriteOutcome putEnrollment(EnrollmentRecord enrollment, String ifMatch, String actor) {
    try {
      return store.putEnrollment(enrollment, ifMatch, actor);
    } finally {
      invalidate();
    }
  }

  @Override
  public WriteOutcome deleteEnrollment(
      EnrollmentRecord.Kind kind, String id, String ifMatch, String actor) {
    try {
      return store.deleteEnrollment(kind, id, ifMatch, actor);
    } finally {
      invalidate();
    }
  }

  @Override
  public void putHub(HubRecord hub, String actor) {
    try {
      store.putHub(hub, actor);
    } finally {
      invalidate();
    }
  }

  @Override
  public boolean deleteHub(String hostName, String actor) {
    try {
      return store.deleteHub(hostName, actor);
    } finally {
      invalidate();
    }
  }
}
