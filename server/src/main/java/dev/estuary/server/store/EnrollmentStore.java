package dev.estuary.server.store;

import dev.estuary.server.audit.Actors;
import java.util.List;
import java.util.Optional;

/**
 * The provisioning service's configuration: CA certificates, enrollments and linked hubs.
 * Implementations are thread-safe; writes that take an etag succeed only while the stored row still
 * has it.
 *
 * <p>Every write that changes something appends its audit record, naming {@code actor} (see {@link
 * Actors}), in the same transaction as the change: both commit or neither. The forms without an
 * actor are the server's own writes ({@link Actors#SYSTEM}: the quickstart).
 */
public interface EnrollmentStore {

  /**
   * @return CREATED, or CONFLICT when a CA certificate by that name exists (nothing changed)
   */
  WriteOutcome createCaCertificate(CaCertificateRecord ca, String actor);

  default WriteOutcome createCaCertificate(CaCertificateRecord ca) {
    return createCaCertificate(ca, Actors.SYSTEM);
  }

  /**
   * Replaces the row whose etag is {@code ifEtag}: UPDATED, or NOT_FOUND, or PRECONDITION_FAILED.
   * Audited as a verification code issued when {@code ca} carries one, else as verified when it is
   * verified.
   */
  WriteOutcome updateCaCertificate(CaCertificateRecord ca, String ifEtag, String actor);

  default WriteOutcome updateCaCertificate(CaCertificateRecord ca, String ifEtag) {
    return updateCaCertificate(ca, ifEtag, Actors.SYSTEM);
  }

  Optional<CaCertificateRecord> findCaCertificate(String name);

  /** By name. */
  List<CaCertificateRecord> listCaCertificates();

  /**
   * @return DELETED, NOT_FOUND, or IN_USE while an enrollment names it
   */
  WriteOutcome deleteCaCertificate(String name, String actor);

  default WriteOutcome deleteCaCertificate(String name) {
    return deleteCaCertificate(name, Actors.SYSTEM);
  }

  Optional<EnrollmentRecord> findEnrollment(EnrollmentRecord.Kind kind, String id);

  /** By id. */
  List<EnrollmentRecord> listEnrollments(EnrollmentRecord.Kind kind);

  /**
   * Creates or replaces an enrollment; its creation time survives a replacement.
   *
   * @param ifMatch null: create or replace unconditionally; "*": replace only an existing one; an
   *     etag: replace only while the stored one has it
   * @return CREATED, UPDATED or PRECONDITION_FAILED
   */
  WriteOutcome putEnrollment(EnrollmentRecord enrollment, String ifMatch, String actor);

  default WriteOutcome putEnrollment(EnrollmentRecord enrollment, String ifMatch) {
    return putEnrollment(enrollment, ifMatch, Actors.SYSTEM);
  }

  /**
   * @param ifMatch null or "*" for any, else the etag the stored one must have
   * @return DELETED, NOT_FOUND or PRECONDITION_FAILED
   */
  WriteOutcome deleteEnrollment(
      EnrollmentRecord.Kind kind, String id, String ifMatch, String actor);

  default WriteOutcome deleteEnrollment(EnrollmentRecord.Kind kind, String id, String ifMatch) {
    return deleteEnrollment(kind, id, ifMatch, Actors.SYSTEM);
  }

  /** Links a hub, or changes its weight. */
  void putHub(HubRecord hub, String actor);

  default void putHub(HubRecord hub) {
    putHub(hub, Actors.SYSTEM);
  }

  /** By host name. */
  List<HubRecord> listHubs();

  /**
   * @return false when no such hub was linked
   */
  boolean deleteHub(String hostName, String actor);

  default boolean deleteHub(String hostName) {
    return deleteHub(hostName, Actors.SYSTEM);
  }
}
