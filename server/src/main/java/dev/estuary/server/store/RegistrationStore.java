package dev.estuary.server.store;

import dev.estuary.server.audit.Actors;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Registration records and the operations devices poll. Thread-safe. */
public interface RegistrationStore {

  /**
   * Commits a registration (creating or replacing the record of its registration id) together with
   * the operation that reports it, in one transaction; operations created before {@code
   * forgetOperationsBefore} are deleted in it too. Returns once committed.
   */
  void record(
      RegistrationRecord registration, StoredOperation operation, Instant forgetOperationsBefore);

  Optional<RegistrationRecord> find(String registrationId);

  /** The registrations an enrollment made, by registration id. */
  List<RegistrationRecord> listByEnrollment(EnrollmentRecord.Kind kind, String enrollmentId);

  /**
   * Registration records by registration id after {@code after} (keyset paging: the previous page's
   * last id; null for the first page), at most {@code limit}.
   */
  List<RegistrationRecord> page(String after, int limit);

  /**
   * Deletes a registration record, appending its audit record (naming {@code actor}) in the same
   * transaction.
   *
   * @return false when there was no such record
   */
  boolean delete(String registrationId, String actor);

  /** {@link #delete(String, String)} by the server itself ({@link Actors#SYSTEM}). */
  default boolean delete(String registrationId) {
    return delete(registrationId, Actors.SYSTEM);
  }

  /** How many registrations each hub holds (hubs without any are absent). */
  Map<String, Long> countByHub();

  Optional<StoredOperation> findOperation(String operationId);
}
