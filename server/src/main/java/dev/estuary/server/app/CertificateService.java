package dev.estuary.server.app;

import dev.estuary.server.auth.Actor;
import dev.estuary.server.store.CertificateRecord;
import dev.estuary.server.store.CertificateSearch;
import dev.estuary.server.store.CertificateStore;
import dev.estuary.server.store.FleetStatistics;
import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Issued certificates, read by any role. (Revocation is {@code revocation.RevocationService}'s,
 * behind {@link Permission#REVOKE_CERTIFICATES} in the admin API's route table.)
 */
public final class CertificateService {
  private final CertificateStore certificates;
  private final CertificateSearch search;
  private final FleetStatistics statistics;

  public CertificateService(CertificateStore certificates) {
    this(certificates, null, null);
  }

  /**
   * @param search the keyset search of the console (null: none)
   * @param statistics the fleet overview of the console (null: none)
   */
  public CertificateService(
      CertificateStore certificates, CertificateSearch search, FleetStatistics statistics) {
    this.certificates = certificates;
    this.search = search;
    this.statistics = statistics;
  }

  /** A page of certificates matching {@code criteria} after cursor {@code after} (null: first). */
  public CertificateSearch.Page search(
      Actor actor, CertificateSearch.Criteria criteria, String after, int limit, Instant now)
      throws NotPermitted {
    Permission.READ_CERTIFICATES.check(actor);
    return search.search(criteria, after, limit, now);
  }

  /** The fleet's overview at {@code now} (computed: callers cache it). */
  public FleetStatistics.Snapshot statistics(Actor actor, Instant now) throws NotPermitted {
    Permission.READ_CERTIFICATES.check(actor);
    return statistics.compute(now);
  }

  public Optional<CertificateRecord> find(Actor actor, BigInteger serial) throws NotPermitted {
    Permission.READ_CERTIFICATES.check(actor);
    return certificates.findBySerial(serial);
  }

  public List<CertificateRecord> findBySubject(Actor actor, String subject, int limit)
      throws NotPermitted {
    Permission.READ_CERTIFICATES.check(actor);
    return certificates.findBySubject(subject, limit);
  }
}
