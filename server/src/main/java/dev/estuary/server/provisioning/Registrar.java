package dev.estuary.server.provisioning;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.estuary.pki.Certificates;
import dev.estuary.pki.Thumbprints;
import dev.estuary.server.auth.Caller;
import dev.estuary.server.auth.Principals;
import dev.estuary.server.http.LogSafe;
import dev.estuary.server.issuance.IssuanceService;
import dev.estuary.server.issuance.Issued;
import dev.estuary.server.policy.Denial;
import dev.estuary.server.policy.IssuancePolicy;
import dev.estuary.server.policy.Label;
import dev.estuary.server.policy.LiveLabels;
import dev.estuary.server.store.CaCertificateRecord;
import dev.estuary.server.store.CertificateRecord;
import dev.estuary.server.store.CertificateStore;
import dev.estuary.server.store.EnrollmentRecord;
import dev.estuary.server.store.EnrollmentStore;
import dev.estuary.server.store.RegistrationRecord;
import dev.estuary.server.store.RegistrationStore;
import dev.estuary.server.store.StoredOperation;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The provisioning service behind the device API: attests the device ({@link EnrollmentMatch}),
 * assigns a hub ({@link HubAllocation}), signs a CSR when one came along, and commits the
 * registration record with the operation the device then polls, before answering. Everything is in
 * the database, so any replica answers any request.
 */
public final class Registrar {
  private static final Logger LOG = LoggerFactory.getLogger(Registrar.class);

  /** How long a device can poll a finished operation. */
  static final Duration OPERATION_LIFETIME = Duration.ofHours(24);

  private final String idScope;
  private final EnrollmentStore enrollments;
  private final RegistrationStore registrations;
  private final CertificateStore certificates;
  private final IssuanceService issuance;
  private final LiveLabels labels;
  private final Clock clock;
  private Predicate<String> deviceDisabled = id -> false;

  /**
   * Refuses the registration of a device for which {@code disabled} is true (by registration id).
   */
  public Registrar refusingDisabled(Predicate<String> disabled) {
    this.deviceDisabled = disabled;
    return this;
  }

  /**
   * @param idScope this server's ID scope, or null when it serves no provisioning
   */
  public Registrar(
      String idScope,
      EnrollmentStore enrollments,
      RegistrationStore registrations,
      CertificateStore certificates,
      IssuanceService issuance,
      LiveLabels labels,
      Clock clock) {
    this.idScope = idScope;
    this.enrollments = enrollments;
    this.registrations = registrations;
    this.certificates = certificates;
    this.issuance = issuance;
    this.labels = labels;
    this.clock = clock;
  }

  /** A registration taken: the operation to poll and the 202 answer. */
  public record Accepted(String operationId, ObjectNode answer) {}

  /** PUT .../register: assigns now, durably, and answers "assigning" with the operation to poll. */
  public Accepted register(
      String scope,
      String registrationId,
      List<X509Certificate> chain,
      RegistrationRequest request,
      String apiVersion)
      throws ProvisioningRefusal {
    requireScope(scope);
    // To the microsecond, as the database keeps it: this answer and later ones agree on the times.
    Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
    EnrollmentMatch.Attested attested = attest(registrationId, chain, now);
    try {
      return register(registrationId, attested, request, apiVersion, now);
    } catch (ProvisioningRefusal r) {
      throw r.in(attested.enrollment());
    }
  }

  private Accepted register(
      String registrationId,
      EnrollmentMatch.Attested attested,
      RegistrationRequest request,
      String apiVersion,
      Instant now)
      throws ProvisioningRefusal {
    if (deviceDisabled.test(registrationId)) {
      throw new ProvisioningRefusal(
          ErrorCode.DEVICE_DISABLED,
          "device '" + registrationId + "' is disabled; an operator enables it again");
    }
    EnrollmentRecord enrollment = attested.enrollment();
    RegistrationRecord prior = registrations.find(registrationId).orElse(null);
    if (prior != null) {
      requireSameIdentity(registrationId, prior, attested.leaf(), "re-register");
    }
    Map<String, Long> counts =
        enrollment.allocation() == EnrollmentRecord.Allocation.EVENLY_WEIGHTED
            ? registrations.countByHub()
            : Map.of();
    HubAllocation.Assignment assignment =
        HubAllocation.decide(
            enrollment, enrollments.listHubs(), prior, counts, registrationId, apiVersion);
    Issued issued = request.hasCsr() ? issue(enrollment, attested, request, registrationId) : null;
    X509Certificate leaf = attested.leaf();
    RegistrationRecord record =
        new RegistrationRecord(
            registrationId,
            enrollment.kind(),
            enrollment.id(),
            enrollment.deviceId() != null ? enrollment.deviceId() : registrationId,
            assignment.hub(),
            assignment.substatus(),
            Certificates.der(leaf),
            Thumbprints.sha256(leaf),
            UUID.randomUUID().toString(),
            prior != null ? prior.createdAt() : now,
            now);
    String operationId = UUID.randomUUID().toString();
    ObjectNode answer =
        RegistrationStates.assigned(
            operationId,
            RegistrationStates.registrationState(
                record,
                RegistrationStates.initialTwin(enrollment),
                issued == null ? List.of() : issued.derChain()));
    registrations.record(
        record,
        new StoredOperation(operationId, registrationId, now, answer.toString()),
        now.minus(OPERATION_LIFETIME));
    LOG.info(
        "registered {} ({} '{}') to hub {} as device {}, {}{}",
        LogSafe.escape(registrationId),
        enrollment.kind().wire(),
        enrollment.id(),
        record.assignedHub(),
        record.deviceId(),
        record.substatus(),
        issued == null ? "" : ", certificate serial " + issued.certificate().serial().toString(16));
    return new Accepted(operationId, RegistrationStates.assigning(operationId, registrationId));
  }

  /** GET .../operations/{operationId}: the operation's answer, for the device that registered. */
  public String operation(
      String scope, String registrationId, String operationId, List<X509Certificate> chain)
      throws ProvisioningRefusal {
    requireScope(scope);
    EnrollmentMatch.Attested attested = attest(registrationId, chain, clock.instant());
    RegistrationRecord record = registrations.find(registrationId).orElse(null);
    if (record != null && !sameCertificate(record, attested.leaf())) {
      throw new ProvisioningRefusal(
              ErrorCode.BOUND_TO_ANOTHER_IDENTITY,
              "registration '"
                  + registrationId
                  + "' was registered with another certificate; an operation is polled with the"
                  + " certificate that registered")
          .in(attested.enrollment());
    }
    return registrations
        .findOperation(operationId)
        .filter(op -> op.registrationId().equals(registrationId))
        .map(StoredOperation::answer)
        .orElseThrow(
            () ->
                new ProvisioningRefusal(
                        ErrorCode.OPERATION_NOT_FOUND,
                        "registration '"
                            + registrationId
                            + "' has no operation '"
                            + operationId
                            + "' (operations are kept "
                            + OPERATION_LIFETIME.toHours()
                            + " h)")
                    .in(attested.enrollment()));
  }

  /** POST /{idScope}/registrations/{registrationId}: the device's current registration state. */
  public ObjectNode status(String scope, String registrationId, List<X509Certificate> chain)
      throws ProvisioningRefusal {
    requireScope(scope);
    EnrollmentMatch.Attested attested = attest(registrationId, chain, clock.instant());
    RegistrationRecord record =
        registrations
            .find(registrationId)
            .orElseThrow(
                () ->
                    new ProvisioningRefusal(
                            ErrorCode.REGISTRATION_NOT_FOUND,
                            "registration '" + registrationId + "' has not registered yet")
                        .in(attested.enrollment()));
    try {
      requireSameIdentity(registrationId, record, attested.leaf(), "read");
    } catch (ProvisioningRefusal r) {
      throw r.in(attested.enrollment());
    }
    return RegistrationStates.registrationState(
        record, RegistrationStates.initialTwin(attested.enrollment()), List.of());
  }

  /**
   * The cheap checks that come before the body is parsed: the ID scope is this server's, a client
   * certificate was presented and its CN is the registration id. {@link #register} repeats them
   * with the full attestation.
   */
  void precheck(String scope, String registrationId, List<X509Certificate> chain)
      throws ProvisioningRefusal {
    requireScope(scope);
    EnrollmentMatch.requireCertificateFor(registrationId, chain);
  }

  private void requireScope(String scope) throws ProvisioningRefusal {
    if (idScope == null) {
      throw new ProvisioningRefusal(
          ErrorCode.ID_SCOPE_NOT_FOUND,
          "this server serves no provisioning ID scope ([provisioning] id_scope)");
    }
    if (!idScope.equals(scope)) {
      throw new ProvisioningRefusal(
          ErrorCode.ID_SCOPE_NOT_FOUND, "unknown ID scope '" + scope + "'");
    }
  }

  private EnrollmentMatch.Attested attest(
      String registrationId, List<X509Certificate> chain, Instant now) throws ProvisioningRefusal {
    Map<String, CaCertificateRecord> cas =
        enrollments.listCaCertificates().stream()
            .collect(Collectors.toMap(CaCertificateRecord::name, Function.identity()));
    return EnrollmentMatch.decide(
        registrationId,
        chain,
        this::issuedHere,
        enrollments.findEnrollment(EnrollmentRecord.Kind.INDIVIDUAL, registrationId).orElse(null),
        enrollments.listEnrollments(EnrollmentRecord.Kind.GROUP),
        cas,
        CaFamilies.of(labels.now().values())::generationsOf,
        now);
  }

  /**
   * The record of a presented certificate when this server issued it: by issuer + serial, compared
   * by TBS.
   */
  private CertificateRecord issuedHere(X509Certificate cert) {
    return certificates.findIssued(cert).orElse(null);
  }

  /**
   * A registration belongs to the identity that registered it: the same certificate, the same
   * issuer and key, or a certificate this server issued on that identity's behalf (a renewal):
   * {@link Principals}.
   */
  private void requireSameIdentity(
      String registrationId, RegistrationRecord record, X509Certificate leaf, String what)
      throws ProvisioningRefusal {
    if (sameCertificate(record, leaf)) {
      return;
    }
    X509Certificate registered = registeredCertificate(record);
    String registeredPrincipal = Principals.of(registered, issuedHere(registered));
    String presentedPrincipal = Principals.of(leaf, issuedHere(leaf));
    if (!registeredPrincipal.equals(presentedPrincipal)) {
      throw new ProvisioningRefusal(
          ErrorCode.BOUND_TO_ANOTHER_IDENTITY,
          "registration '"
              + registrationId
              + "' is bound to the identity that registered it (certificate '"
              + registered.getSubjectX500Principal().getName()
              + "' from '"
              + registered.getIssuerX500Principal().getName()
              + "'); this certificate is neither it nor a renewal of it, so it cannot "
              + what
              + " the registration");
    }
  }

  private static boolean sameCertificate(RegistrationRecord record, X509Certificate leaf) {
    X509Certificate registered = registeredCertificate(record);
    try {
      return Arrays.equals(registered.getTBSCertificate(), leaf.getTBSCertificate());
    } catch (CertificateEncodingException e) {
      return false;
    }
  }

  private static X509Certificate registeredCertificate(RegistrationRecord record) {
    return Certificates.decode(record.certificateDer());
  }

  /** Signs the registration's CSR with the label the enrollment names. */
  private Issued issue(
      EnrollmentRecord enrollment,
      EnrollmentMatch.Attested attested,
      RegistrationRequest request,
      String registrationId)
      throws ProvisioningRefusal {
    Label label =
        enrollment.certificateLabel() == null
            ? null
            : labels.now().get(enrollment.certificateLabel());
    if (label == null) {
      throw new ProvisioningRefusal(
          ErrorCode.INVALID_REQUEST,
          "the registration carries a CSR, but "
              + enrollment.kind().wire()
              + " enrollment '"
              + enrollment.id()
              + "' names no certificate label to sign it with");
    }
    // The caller as attestation established it: the verified path, the identity it is, the
    // registration id it is tied to. The CSR goes through the label's issuance policy as any
    // EST request does.
    X509Certificate leaf = attested.leaf();
    CertificateRecord known = issuedHere(leaf);
    Caller caller =
        new Caller(
            "dps",
            Thumbprints.sha256(leaf),
            Principals.of(leaf, known),
            attested.chain(),
            null,
            known == null ? null : new Caller.IssuedHere(known.label(), known.serial()),
            registrationId);
    try {
      // Parsed only now: the key is checked against the label's policy before its signature is
      // verified.
      return issuance.enroll(
          label,
          caller,
          request.csr(label.keyPolicy(), issuance.signatures(), registrationId),
          IssuancePolicy.Operation.ENROLL);
    } catch (Denial d) {
      ErrorCode code =
          switch (d.reason()) {
            case NAME_BOUND, IDENTITY_BOUND -> ErrorCode.BOUND_TO_ANOTHER_IDENTITY;
            case CREDENTIAL_USED_UP -> ErrorCode.UNAUTHORIZED;
            default -> ErrorCode.INVALID_REQUEST;
          };
      throw new ProvisioningRefusal(code, "the CSR was refused: " + d.getMessage());
    }
  }
}
