package dev.estuary.server.issuance;

import dev.estuary.pki.Csr;
import dev.estuary.pki.IssueOrder;
import dev.estuary.pki.Serials;
import dev.estuary.pki.SignatureEngine;
import dev.estuary.pki.SignedCertificate;
import dev.estuary.server.audit.Actors;
import dev.estuary.server.audit.AuditEvent;
import dev.estuary.server.audit.AuditLog;
import dev.estuary.server.auth.Caller;
import dev.estuary.server.http.LogSafe;
import dev.estuary.server.policy.Denial;
import dev.estuary.server.policy.IssuancePolicy;
import dev.estuary.server.policy.Label;
import dev.estuary.server.policy.NameBindings;
import dev.estuary.server.store.BindingStore;
import dev.estuary.server.store.CertificateRecord;
import dev.estuary.server.store.CertificateStore;
import dev.estuary.server.store.DuplicateSerialException;
import dev.estuary.server.store.NameBinding;
import dev.estuary.server.store.SecretRefusedException;
import io.micrometer.core.instrument.MeterRegistry;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issues certificates: asks the {@link IssuancePolicy}, records the name binding it asks for, has
 * the label's CA sign, records the certificate durably, and only then hands it out. Every issuance
 * of the server (EST, DPS, admin) comes through here. No lock is held across requests.
 */
public final class IssuanceService {
  private static final Logger LOG = LoggerFactory.getLogger(IssuanceService.class);
  private static final int SERIAL_ATTEMPTS = 3;

  private final CertificateStore store;
  private final SignatureEngine signatures;
  private final BindingStore bindings;
  private final NameBindings bindingView;
  private final Serials serials;
  private final Clock clock;
  private final MeterRegistry meters;
  private final AuditLog audit;

  /**
   * Without an audit log (refusals are only logged) and with Bouncy Castle verifying CSRs (unit
   * tests).
   */
  public IssuanceService(
      CertificateStore store,
      BindingStore bindings,
      Serials serials,
      Clock clock,
      MeterRegistry meters) {
    this(store, bindings, serials, clock, meters, null, SignatureEngine.BOUNCY_CASTLE);
  }

  /**
   * @param audit where refusals of authenticated callers are recorded (issuances are recorded by
   *     the store, in the certificate's transaction)
   * @param signatures who verifies the CSRs' signatures ({@code [keys] signatures}; the CAs' keys
   *     were made for it by {@code CaKeys})
   */
  public IssuanceService(
      CertificateStore store,
      BindingStore bindings,
      Serials serials,
      Clock clock,
      MeterRegistry meters,
      AuditLog audit,
      SignatureEngine signatures) {
    this.signatures = signatures;
    this.audit = audit;
    this.store = store;
    this.bindings = bindings;
    this.bindingView =
        new NameBindings() {
          @Override
          public Optional<String> holderOf(String label, String name) {
            return bindings.find(label, name).map(NameBinding::principal);
          }

          @Override
          public Optional<String> nameOf(String label, String principal) {
            return bindings.findByPrincipal(label, principal).stream()
                .map(NameBinding::name)
                .findFirst();
          }
        };
    this.serials = serials;
    this.clock = clock;
    this.meters = meters;
  }

  /** Who verifies the CSRs' proof of possession: the server's {@code [keys] signatures}. */
  public SignatureEngine signatures() {
    return signatures;
  }

  /**
   * @return the new certificate and the issuing CA chain without the root
   */
  public Issued enroll(Label label, Caller caller, Csr csr, IssuancePolicy.Operation op)
      throws Denial {
    try {
      return issue(label, caller, csr, op);
    } catch (Denial d) {
      recordRefusal(label, caller, op, d);
      throw d;
    }
  }

  /**
   * A refusal of an authenticated caller, one record each: only a caller who got past a gate can
   * cause one, so an anonymous caller cannot fill the table with them (those are counted: {@code
   * AuthFailureTally}). A failure to record does not turn the refusal into a 500.
   */
  private void recordRefusal(Label label, Caller caller, IssuancePolicy.Operation op, Denial d) {
    if (audit == null) {
      return;
    }
    Map<String, String> details = new LinkedHashMap<>();
    details.put("reason", d.reason().name());
    details.put("message", d.getMessage());
    details.put("gate", caller.gate());
    details.put("requester", caller.identity());
    details.put("operation", op.name());
    X509Certificate presented = caller.clientCertificate();
    if (presented != null) {
      details.put("presentedSerial", presented.getSerialNumber().toString(16));
      details.put("presentedIssuer", presented.getIssuerX500Principal().getName());
    }
    try {
      audit.append(
          new AuditEvent(
              clock.instant(),
              AuditEvent.ISSUANCE_REFUSED,
              Actors.device(caller.principal()),
              label.name(),
              presented == null ? null : presented.getSubjectX500Principal().getName(),
              null,
              details));
    } catch (RuntimeException e) {
      LOG.warn("could not record the refusal on label {}: {}", label.name(), e.toString());
    }
  }

  private Issued issue(Label label, Caller caller, Csr csr, IssuancePolicy.Operation op)
      throws Denial {
    for (int attempt = 1; ; attempt++) {
      Instant now = clock.instant();
      IssuancePolicy.Decision decision =
          IssuancePolicy.decide(label, caller, csr, op, bindingView, now, serials.next());
      NameBinding boundNow = null;
      if (decision.bindName() != null) {
        NameBinding wanted =
            new NameBinding(
                decision.bindScope(),
                decision.bindName(),
                caller.principal(),
                describe(caller),
                now);
        NameBinding held = bindings.bind(wanted);
        if (!held.principal().equals(caller.principal())) {
          throw new Denial(
              Denial.Reason.NAME_BOUND,
              "the name '"
                  + decision.bindName()
                  + "' of '"
                  + decision.bindScope()
                  + "' was just bound to another identity");
        }
        if (held.equals(wanted)) {
          boundNow = held;
          secondNameRaceCheck(caller, held);
        }
        LOG.info(
            "bound {} name=\"{}\" to {} ({})",
            decision.bindScope(),
            decision.bindName(),
            caller.principal(),
            held.description());
      }
      IssueOrder order = decision.order();
      SignedCertificate cert;
      CertificateRecord record;
      try {
        cert = label.ca().issue(order);
        record = recordOf(label, caller, csr, cert, now);
        store.record(record, caller.secretId());
      } catch (DuplicateSerialException e) {
        if (attempt >= SERIAL_ATTEMPTS) {
          releaseAfterFailure(boundNow);
          throw e;
        }
        LOG.warn("serial number collision on label {}; drawing another", label.name());
        continue;
      } catch (SecretRefusedException e) {
        releaseAfterFailure(boundNow);
        throw new Denial(Denial.Reason.CREDENTIAL_USED_UP, e.getMessage());
      } catch (RuntimeException e) {
        releaseAfterFailure(boundNow);
        throw e;
      }
      meters
          .counter("estuary.certificates.issued", "label", label.name(), "gate", caller.gate())
          .increment();
      LOG.info(
          "issued label={} serial={} subject=\"{}\" gate={} requester={} reenroll={} notAfter={}",
          label.name(),
          record.serial().toString(16),
          LogSafe.escape(record.subject()),
          caller.gate(),
          LogSafe.escape(caller.identity()),
          caller.renews(label.name()),
          record.notAfter());
      List<X509Certificate> cas = label.ca().chain();
      return new Issued(cert, cas.subList(0, Math.max(0, cas.size() - 1)));
    }
  }

  /**
   * Two requests of one certificate identity can ask for two different free names at once: each
   * sees the identity unbound when the policy decides, and each binds its name. The binding store
   * decides races per name only, so the identity's names are read back after binding; a second name
   * is released and refused (both requests may be refused; the device's next try gets one).
   * Identities of bootstrap secrets and Basic users bind many names by design (one factory secret,
   * many devices) and are not checked.
   */
  private void secondNameRaceCheck(Caller caller, NameBinding mine) throws Denial {
    if (!caller.certificatePrincipal()) {
      return;
    }
    for (NameBinding other : bindings.findByPrincipal(mine.label(), mine.principal())) {
      if (!other.name().equals(mine.name())) {
        bindings.release(mine.label(), mine.name());
        throw new Denial(
            Denial.Reason.IDENTITY_BOUND,
            "this identity was just bound to the name '"
                + other.name()
                + "' of label '"
                + mine.label()
                + "' by another request, not '"
                + mine.name()
                + "'");
      }
    }
  }

  /**
   * A name bound for a certificate that was then not issued goes back to being free: a failed
   * issuance leaves no binding the device did not get a certificate for.
   */
  private void releaseAfterFailure(NameBinding boundNow) {
    if (boundNow == null) {
      return;
    }
    try {
      bindings.release(boundNow.label(), boundNow.name());
    } catch (RuntimeException e) {
      LOG.warn(
          "could not release {} name=\"{}\" after a failed issuance: {}",
          boundNow.label(),
          LogSafe.escape(boundNow.name()),
          LogSafe.escape(String.valueOf(e.getMessage())));
    }
  }

  private static CertificateRecord recordOf(
      Label label, Caller caller, Csr csr, SignedCertificate cert, Instant now) {
    return new CertificateRecord(
        cert.serial(),
        cert.subjectName(),
        cert.issuerName(),
        cert.notBefore(),
        cert.notAfter(),
        label.name(),
        csr.key().toString(),
        cert.sha256(),
        caller.gate(),
        caller.identity(),
        now,
        cert.der(),
        null,
        null,
        caller.principal());
  }

  /** Who a binding is held by, for people. */
  private static String describe(Caller caller) {
    X509Certificate c = caller.clientCertificate();
    if (c == null) {
      return caller.gate() + " " + caller.identity();
    }
    String d =
        "certificate '"
            + c.getSubjectX500Principal().getName()
            + "' serial "
            + c.getSerialNumber().toString(16)
            + " from '"
            + c.getIssuerX500Principal().getName()
            + "'";
    return d.length() > 1000 ? d.substring(0, 1000) : d;
  }
}
