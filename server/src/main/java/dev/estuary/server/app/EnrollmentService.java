package dev.estuary.server.app;

import dev.estuary.server.auth.Actor;
import dev.estuary.server.store.EnrollmentRecord;
import dev.estuary.server.store.EnrollmentRecord.Kind;
import dev.estuary.server.store.EnrollmentStore;
import dev.estuary.server.store.HubRecord;
import dev.estuary.server.store.RegistrationRecord;
import dev.estuary.server.store.RegistrationStore;
import dev.estuary.server.store.WriteOutcome;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The provisioning service's enrollments, registration records and linked hubs. Any role reads; an
 * operator or admin writes enrollments and deletes registration records; linking and unlinking hubs
 * (where devices and their telemetry go) is an admin's.
 */
public final class EnrollmentService {
  private static final Logger LOG = LoggerFactory.getLogger(EnrollmentService.class);

  private final EnrollmentStore enrollments;
  private final RegistrationStore registrations;

  public EnrollmentService(EnrollmentStore enrollments, RegistrationStore registrations) {
    this.enrollments = enrollments;
    this.registrations = registrations;
  }

  public List<EnrollmentRecord> listEnrollments(Actor actor, Kind kind) throws NotPermitted {
    Permission.LIST_ENROLLMENTS.check(actor);
    return enrollments.listEnrollments(kind);
  }

  public Optional<EnrollmentRecord> findEnrollment(Actor actor, Kind kind, String id)
      throws NotPermitted {
    Permission.READ_ENROLLMENTS.check(actor);
    return enrollments.findEnrollment(kind, id);
  }

  /** Creates or replaces an enrollment, honouring {@code ifMatch} (null for none). */
  public WriteOutcome putEnrollment(Actor actor, EnrollmentRecord e, String ifMatch, boolean isNew)
      throws NotPermitted {
    Permission.CHANGE_ENROLLMENTS.check(actor);
    WriteOutcome outcome = enrollments.putEnrollment(e, ifMatch, actor.auditName());
    if (outcome != WriteOutcome.PRECONDITION_FAILED) {
      // audited (enrollment.created/replaced, in the store's transaction)
      LOG.info(
          "{} {} enrollment {} by {}",
          isNew ? "created" : "replaced",
          e.kind().wire(),
          e.id(),
          actor.auditName());
    }
    return outcome;
  }

  public WriteOutcome deleteEnrollment(Actor actor, Kind kind, String id, String ifMatch)
      throws NotPermitted {
    Permission.DELETE_ENROLLMENTS.check(actor);
    WriteOutcome outcome = enrollments.deleteEnrollment(kind, id, ifMatch, actor.auditName());
    if (outcome != WriteOutcome.NOT_FOUND && outcome != WriteOutcome.PRECONDITION_FAILED) {
      // audited (enrollment.deleted, in the store's transaction)
      LOG.info("deleted {} enrollment {} by {}", kind.wire(), id, actor.auditName());
    }
    return outcome;
  }

  public List<RegistrationRecord> registrationsOf(Actor actor, Kind kind, String enrollmentId)
      throws NotPermitted {
    Permission.LIST_REGISTRATION_RECORDS.check(actor);
    return registrations.listByEnrollment(kind, enrollmentId);
  }

  /**
   * Registration records by id after {@code after} (null: from the first), at most {@code limit}.
   */
  public List<RegistrationRecord> registrations(Actor actor, String after, int limit)
      throws NotPermitted {
    Permission.LIST_REGISTRATION_RECORDS.check(actor);
    return registrations.page(after, limit);
  }

  public Optional<RegistrationRecord> findRegistration(Actor actor, String id) throws NotPermitted {
    Permission.READ_REGISTRATION_RECORDS.check(actor);
    return registrations.find(id);
  }

  /**
   * @return false when there is no such record
   */
  public boolean deleteRegistration(Actor actor, String id) throws NotPermitted {
    Permission.DELETE_REGISTRATION_RECORDS.check(actor);
    boolean done = registrations.delete(id, actor.auditName());
    if (done) {
      // audited (registration.deleted, in the store's transaction)
      LOG.info("deleted registration record {} by {}", id, actor.auditName());
    }
    return done;
  }

  public List<HubRecord> listHubs(Actor actor) throws NotPermitted {
    Permission.LIST_LINKED_HUBS.check(actor);
    return enrollments.listHubs();
  }

  /** How many registrations each hub holds (hubs without any are absent). */
  public Map<String, Long> registrationsPerHub(Actor actor) throws NotPermitted {
    Permission.LIST_LINKED_HUBS.check(actor);
    return registrations.countByHub();
  }

  public void putHub(Actor actor, HubRecord hub) throws NotPermitted {
    Permission.LINK_HUBS.check(actor);
    enrollments.putHub(hub, actor.auditName());
    // audited (hub.linked, in the store's transaction)
    LOG.info("linked hub {} (weight {}) by {}", hub.hostName(), hub.weight(), actor.auditName());
  }

  /** What unlinking a hub did. */
  public sealed interface HubRemoval {}

  /** Unlinked. */
  public record Unlinked() implements HubRemoval {}

  /** Not linked. */
  public record NoSuchHub() implements HubRemoval {}

  /** Still named by these enrollments: nothing changed. */
  public record HubInUse(List<EnrollmentRecord> users) implements HubRemoval {}

  public HubRemoval deleteHub(Actor actor, String host) throws NotPermitted {
    Permission.UNLINK_HUBS.check(actor);
    List<EnrollmentRecord> users =
        Stream.of(Kind.values())
            .flatMap(k -> enrollments.listEnrollments(k).stream())
            .filter(e -> e.iotHubs().contains(host))
            .toList();
    if (!users.isEmpty()) {
      return new HubInUse(users);
    }
    if (!enrollments.deleteHub(host, actor.auditName())) {
      return new NoSuchHub();
    }
    // audited (hub.unlinked, in the store's transaction)
    LOG.info("unlinked hub {} by {}", host, actor.auditName());
    return new Unlinked();
  }
}
