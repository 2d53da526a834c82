package dev.estuary.server.store;

import java.util.List;
import java.util.Optional;

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

  /** The key of the caches that hold one value. */
  private static final String ALL = "all";

  private final EnrollmentStore store;
  private final CoherentCache<String, Optional<EnrollmentRecord>> individuals =
      new CoherentCache<>(MAX_INDIVIDUALS);
  private final CoherentCache<String, List<EnrollmentRecord>> groups = new CoherentCache<>(1);
  private final CoherentCache<String, List<CaCertificateRecord>> cas = new CoherentCache<>(1);
  private final CoherentCache<String, List<HubRecord>> hubs = new CoherentCache<>(1);

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
    individuals.invalidate();
    groups.invalidate();
    cas.invalidate();
    hubs.invalidate();
  }

  /** How many individual enrollments (or absences) are cached now. */
  int cachedIndividuals() {
    return individuals.size();
  }

  @Override
  public Optional<EnrollmentRecord> findEnrollment(EnrollmentRecord.Kind kind, String id) {
    if (kind != EnrollmentRecord.Kind.INDIVIDUAL) {
      return store.findEnrollment(kind, id);
    }
    return individuals.get(id, () -> store.findEnrollment(kind, id));
  }

  @Override
  public List<EnrollmentRecord> listEnrollments(EnrollmentRecord.Kind kind) {
    if (kind != EnrollmentRecord.Kind.GROUP) {
      return store.listEnrollments(kind);
    }
    return groups.get(ALL, () -> List.copyOf(store.listEnrollments(EnrollmentRecord.Kind.GROUP)));
  }

  @Override
  public List<CaCertificateRecord> listCaCertificates() {
    return cas.get(ALL, () -> List.copyOf(store.listCaCertificates()));
  }

  @Override
  public List<HubRecord> listHubs() {
    return hubs.get(ALL, () -> List.copyOf(store.listHubs()));
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
