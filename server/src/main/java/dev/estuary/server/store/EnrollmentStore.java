package dev.estuary.server.store;

import java.util.List;
import java.util.Optional;

/**
 * The provisioning service's configuration: CA certificates, enrollments and linked hubs.
 * Implementations are thread-safe; writes that take an etag succeed only while the stored row still
 * has it.
 */
public interface EnrollmentStore {

  /**
   * @return CREATED, or CONFLICT when a CA certificate by that name exists (nothing changed)
   */
  WriteOutcome createCaCertificate(CaCertificateRecord ca);

  /**
   * Replaces the row whose etag is {@code ifEtag}: UPDATED, or NOT_FOUND, or PRECONDITION_FAILED.
   */
  WriteOutcome updateCaCertificate(CaCertificateRecord ca, String ifEtag);

  Optional<CaCertificateRecord> findCaCertificate(String name);

  /** By name. */
  List<CaCertificateRecord> listCaCertificates();

  /**
   * @return DELETED, NOT_FOUND, or IN_USE while an enrollment names it
   */
  WriteOutcome deleteCaCertificate(String name);

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
  WriteOutcome putEnrollment(EnrollmentRecord enrollment, String ifMatch);

  /**
   * @param ifMatch null or "*" for any, else the etag the stored one must have
   * @return DELETED, NOT_FOUND or PRECONDITION_FAILED
   */
  WriteOutcome deleteEnrollment(EnrollmentRecord.Kind kind, String id, String ifMatch);

  /** Links a hub, or changes its weight. */
  void putHub(HubRecord hub);

  /** By host name. */
  List<HubRecord> listHubs();

  /**
   * @return false when no such hub was linked
   */
  boolean deleteHub(String hostName);
}
