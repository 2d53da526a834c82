package dev.estuary.server.issuance;

import dev.estuary.pki.Csr;
import dev.estuary.pki.IssueOrder;
import dev.estuary.pki.Serials;
import dev.estuary.pki.SignedCertificate;
import dev.estuary.server.auth.Caller;
import dev.estuary.server.http.LogSafe;
import dev.estuary.server.policy.EnrollmentPolicy;
import dev.estuary.server.policy.Label;
import dev.estuary.server.policy.Refusal;
import dev.estuary.server.store.CertificateRecord;
import dev.estuary.server.store.CertificateStore;
import dev.estuary.server.store.DuplicateSerialException;
import dev.estuary.server.store.SecretRefusedException;
import io.micrometer.core.instrument.MeterRegistry;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issues certificates: asks the policy, has the label's CA sign, records the certificate
 * durably, and only then hands it out. No lock is held across requests.
 */
public final class IssuanceService {
  private static final Logger LOG = LoggerFactory.getLogger(IssuanceService.class);
  private static final int SERIAL_ATTEMPTS = 3;

  private final CertificateStore store;
  private final Serials serials;
  private final Clock clock;
  private final MeterRegistry meters;

  public IssuanceService(CertificateStore store, Serials serials, Clock clock, MeterRegistry meters) {
    this.store = store;
    this.serials = serials;
    this.clock = clock;
    this.meters = meters;
  }

  /**
   * @return the new certificate and the issuing CA chain without the root
   */
  public Issued enroll(Label label, Caller caller, Csr csr, EnrollmentPolicy.Operation op)
      throws Refusal {
    for (int attempt = 1; ; attempt++) {
      Instant now = clock.instant();
      IssueOrder order = EnrollmentPolicy.decide(label, caller, csr, op, now, serials.next());
      SignedCertificate cert = label.ca().issue(order);
      CertificateRecord record = recordOf(label, caller, csr, cert, now);
      try {
        store.record(record, caller.secretId());
      } catch (DuplicateSerialException e) {
        if (attempt >= SERIAL_ATTEMPTS) {
          throw e;
        }
        LOG.warn("serial number collision on label {}; drawing another", label.name());
        continue;
      } catch (SecretRefusedException e) {
        throw Refusal.unauthorized(e.getMessage());
      }
      meters.counter("estuary.certificates.issued", "label", label.name(), "gate", caller.gate()).increment();
      LOG.info(
          "issued label={} serial={} subject=\"{}\" gate={} requester={} reenroll={} notAfter={}",
          label.name(),
          record.serial().toString(16),
          LogSafe.escape(record.subject()),
          caller.gate(),
          LogSafe.escape(caller.identity()),
          caller.isReenrollment(),
          record.notAfter());
      List<X509Certificate> cas = label.ca().chain();
      return new Issued(cert, cas.subList(0, Math.max(0, cas.size() - 1)));
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
        null);
  }
}
