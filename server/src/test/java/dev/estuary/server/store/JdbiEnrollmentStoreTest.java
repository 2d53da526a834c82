package dev.estuary.server.store;

import static dev.estuary.server.store.TestCertificates.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.estuary.server.audit.AuditEvent;
import dev.estuary.server.audit.AuditLog;
import dev.estuary.server.audit.AuditRecord;
import dev.estuary.server.store.EnrollmentRecord.Allocation;
import dev.estuary.server.store.EnrollmentRecord.Kind;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

@ParameterizedClass
@EnumSource(Backend.class)
class JdbiEnrollmentStoreTest extends BackendTestCase {

  private EnrollmentStore store;

  @BeforeEach
  void createStore() {
    store = new JdbiEnrollmentStore(db.jdbi());
  }

  static CaCertificateRecord ca(String name) {
    return new CaCertificateRecord(
        name, new byte[] {1, 2, 3}, "CN=" + name, "ab" + name, false, null, "e1", T0, T0);
  }

  static EnrollmentRecord group(String id, String ca, String etag) {
    return new EnrollmentRecord(
        Kind.GROUP,
        id,
        ca,
        null,
        true,
        true,
        Allocation.HASHED,
        List.of("hub-a.local", "hub-b.local"),
        "{\"tags\":{\"site\":\"x\"}}",
        true,
        true,
        "device-id",
        etag,
        T0,
        T0);
  }

  @Test
  void aCaCertificateIsCreatedOnceAndUpdatedOnlyWithItsEtag() {
    assertThat(store.createCaCertificate(ca("root"))).isEqualTo(WriteOutcome.CREATED);
    assertThat(store.createCaCertificate(ca("root"))).isEqualTo(WriteOutcome.CONFLICT);

    CaCertificateRecord coded = ca("root").with(false, "c0de", "e2", T0.plusSeconds(1));
    assertThat(store.updateCaCertificate(coded, "wrong"))
        .isEqualTo(WriteOutcome.PRECONDITION_FAILED);
    assertThat(store.updateCaCertificate(coded, "e1")).isEqualTo(WriteOutcome.UPDATED);
    assertThat(store.updateCaCertificate(coded.with(true, null, "e3", T0), "e1"))
        .as("e1 is gone")
        .isEqualTo(WriteOutcome.PRECONDITION_FAILED);
    assertThat(store.updateCaCertificate(ca("nobody"), "e1")).isEqualTo(WriteOutcome.NOT_FOUND);

    CaCertificateRecord found = store.findCaCertificate("root").orElseThrow();
    assertThat(found.verificationCode()).isEqualTo("c0de");
    assertThat(found.etag()).isEqualTo("e2");
    assertThat(found.der()).containsExactly(1, 2, 3);
    assertThat(found.createdAt()).isEqualTo(T0);
  }

  @Test
  void aCaCertificateInUseByAnEnrollmentIsNotDeleted() {
    store.createCaCertificate(ca("root"));
    store.putEnrollment(group("g", "root", "e1"), null);

    assertThat(store.deleteCaCertificate("root")).isEqualTo(WriteOutcome.IN_USE);
    store.deleteEnrollment(Kind.GROUP, "g", null);
    assertThat(store.deleteCaCertificate("root")).isEqualTo(WriteOutcome.DELETED);
    assertThat(store.deleteCaCertificate("root")).isEqualTo(WriteOutcome.NOT_FOUND);
  }

  @Test
  void enrollmentsRoundTripAndKeepTheirCreationTimeWhenReplaced() {
    store.createCaCertificate(ca("root"));
    EnrollmentRecord g = group("edge", "root", "e1");
    assertThat(store.putEnrollment(g, null)).isEqualTo(WriteOutcome.CREATED);
    assertThat(store.findEnrollment(Kind.GROUP, "edge")).contains(g);
    assertThat(store.findEnrollment(Kind.INDIVIDUAL, "edge")).as("kinds are separate").isEmpty();

    EnrollmentRecord later =
        new EnrollmentRecord(
            Kind.GROUP,
            "edge",
            "root",
            null,
            false,
            false,
            Allocation.STATIC,
            List.of("hub-a.local"),
            null,
            false,
            false,
            null,
            "e2",
            T0.plus(Duration.ofDays(1)),
            T0.plus(Duration.ofDays(1)));
    assertThat(store.putEnrollment(later, null)).isEqualTo(WriteOutcome.UPDATED);
    EnrollmentRecord found = store.findEnrollment(Kind.GROUP, "edge").orElseThrow();
    assertThat(found.createdAt()).isEqualTo(T0);
    assertThat(found.updatedAt()).isEqualTo(later.updatedAt());
    assertThat(found.allocation()).isEqualTo(Allocation.STATIC);
    assertThat(found.iotHubs()).containsExactly("hub-a.local");
    assertThat(found.initialTwin()).isNull();
    assertThat(found.enabled()).isFalse();
  }

  @Test
  void ifMatchGuardsReplacementAndDeletion() {
    store.createCaCertificate(ca("root"));
    store.putEnrollment(group("edge", "root", "e1"), null);

    assertThat(store.putEnrollment(group("edge", "root", "e2"), "stale"))
        .isEqualTo(WriteOutcome.PRECONDITION_FAILED);
    assertThat(store.putEnrollment(group("edge", "root", "e2"), "e1"))
        .isEqualTo(WriteOutcome.UPDATED);
    assertThat(store.putEnrollment(group("edge", "root", "e3"), "*"))
        .isEqualTo(WriteOutcome.UPDATED);
    assertThat(store.putEnrollment(group("absent", "root", "e1"), "*"))
        .as("If-Match on nothing")
        .isEqualTo(WriteOutcome.PRECONDITION_FAILED);
    assertThat(store.findEnrollment(Kind.GROUP, "absent")).isEmpty();

    assertThat(store.deleteEnrollment(Kind.GROUP, "edge", "e2"))
        .isEqualTo(WriteOutcome.PRECONDITION_FAILED);
    assertThat(store.deleteEnrollment(Kind.GROUP, "edge", "e3")).isEqualTo(WriteOutcome.DELETED);
    assertThat(store.deleteEnrollment(Kind.GROUP, "edge", null)).isEqualTo(WriteOutcome.NOT_FOUND);
  }

  @Test
  void enrollmentsAreListedByKindAndId() {
    store.createCaCertificate(ca("root"));
    store.putEnrollment(group("b", "root", "e"), null);
    store.putEnrollment(group("a", "root", "e"), null);

    assertThat(store.listEnrollments(Kind.GROUP))
        .extracting(EnrollmentRecord::id)
        .containsExactly("a", "b");
    assertThat(store.listEnrollments(Kind.INDIVIDUAL)).isEmpty();
  }

  @Test
  void hubsAreLinkedReweightedAndUnlinked() {
    store.putHub(new HubRecord("hub-b.local", 1));
    store.putHub(new HubRecord("hub-a.local", 2));
    store.putHub(new HubRecord("hub-b.local", 5));

    assertThat(store.listHubs())
        .containsExactly(new HubRecord("hub-a.local", 2), new HubRecord("hub-b.local", 5));
    assertThat(store.deleteHub("hub-a.local")).isTrue();
    assertThat(store.deleteHub("hub-a.local")).isFalse();
    assertThat(store.listHubs()).containsExactly(new HubRecord("hub-b.local", 5));
  }

  @Test
  void eachChangeAppendsOneAuditRecordNamingItsActorAndAWriteThatChangesNothingNone() {
    AuditLog log = new AuditLog(db.jdbi(), Clock.systemUTC());
    store.createCaCertificate(ca("root"), "token:adm");
    store.createCaCertificate(ca("root"), "token:adm"); // conflict
    store.updateCaCertificate(ca("root").with(false, "c0de", "e2", T0), "e1", "token:adm");
    store.updateCaCertificate(ca("root").with(true, null, "e3", T0), "stale", "token:adm");
    store.updateCaCertificate(ca("root").with(true, null, "e3", T0), "e2", "token:adm");
    store.putEnrollment(group("g", "root", "e1"), null, "token:op");
    store.putEnrollment(group("g", "root", "e2"), "e1", "token:op");
    store.putEnrollment(group("g", "root", "e3"), "stale", "token:op");
    store.deleteCaCertificate("root", "token:adm"); // in use
    store.deleteEnrollment(Kind.GROUP, "g", "stale", "token:op");
    store.deleteEnrollment(Kind.GROUP, "g", null, "token:op");
    store.deleteEnrollment(Kind.GROUP, "g", null, "token:op"); // gone
    store.deleteCaCertificate("root", "token:adm");
    store.putHub(new HubRecord("hub-a.local", 2), "token:adm");
    store.deleteHub("hub-a.local", "token:adm");
    store.deleteHub("hub-a.local", "token:adm"); // gone

    assertThat(log.all())
        .extracting(r -> r.event() + " " + r.actor())
        .containsExactly(
            AuditEvent.CA_CERTIFICATE_ADDED + " token:adm",
            AuditEvent.CA_CERTIFICATE_CODE_ISSUED + " token:adm",
            AuditEvent.CA_CERTIFICATE_VERIFIED + " token:adm",
            AuditEvent.ENROLLMENT_CREATED + " token:op",
            AuditEvent.ENROLLMENT_REPLACED + " token:op",
            AuditEvent.ENROLLMENT_DELETED + " token:op",
            AuditEvent.CA_CERTIFICATE_DELETED + " token:adm",
            AuditEvent.HUB_LINKED + " token:adm",
            AuditEvent.HUB_UNLINKED + " token:adm");
    AuditRecord created = log.all().get(3);
    assertThat(created.label()).isEqualTo("device-id");
    assertThat(created.details()).contains("\"sha256\":\"abroot\"").doesNotContain("site");
    assertThat(log.verify().ok()).isTrue();
  }

  @Test
  void aChangeWhoseAuditRecordCannotBeAppendedIsNotMade() {
    store.createCaCertificate(ca("root"));
    store.putHub(new HubRecord("hub-a.local", 1));
    // The chain's head row gone: every append fails, and the change it records rolls back with it.
    db.jdbi().useHandle(h -> h.execute("DELETE FROM audit_head"));

    assertThatThrownBy(() -> store.putEnrollment(group("g", "root", "e1"), null, "token:op"))
        .isInstanceOf(IllegalStateException.class);
    assertThat(store.findEnrollment(Kind.GROUP, "g")).isEmpty();
    assertThatThrownBy(() -> store.deleteHub("hub-a.local", "token:adm"))
        .isInstanceOf(IllegalStateException.class);
    assertThat(store.listHubs()).containsExactly(new HubRecord("hub-a.local", 1));
    assertThatThrownBy(() -> store.deleteCaCertificate("root", "token:adm"))
        .isInstanceOf(IllegalStateException.class);
    assertThat(store.findCaCertificate("root")).isPresent();
  }
}
