package dev.estuary.server.app;

import dev.estuary.pki.Csr;
import dev.estuary.server.auth.Actor;
import dev.estuary.server.store.CaCertificateRecord;
import dev.estuary.server.store.EnrollmentStore;
import dev.estuary.server.store.WriteOutcome;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.bouncycastle.asn1.x500.X500Name;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CA certificates provisioning enrollments name as their attestation, and their proof of
 * possession (verification code, then a certificate with that code as CN signed by the CA's key).
 * Any role reads; adding, deleting and verifying one is an admin's: a verified CA is one whose
 * devices this server provisions.
 */
public final class CaCertificateService {
  private static final Logger LOG = LoggerFactory.getLogger(CaCertificateService.class);

  private final EnrollmentStore enrollments;
  private final SecureRandom random;
  private final Clock clock;

  public CaCertificateService(EnrollmentStore enrollments, SecureRandom random, Clock clock) {
    this.enrollments = enrollments;
    this.random = random;
    this.clock = clock;
  }

  public List<CaCertificateRecord> list(Actor actor) throws NotPermitted {
    Permission.LIST_CA_CERTIFICATES.check(actor);
    return enrollments.listCaCertificates();
  }

  public Optional<CaCertificateRecord> find(Actor actor, String name) throws NotPermitted {
    Permission.READ_CA_CERTIFICATES.check(actor);
    return enrollments.findCaCertificate(name);
  }

  /** Adds a CA certificate; {@link WriteOutcome#CONFLICT} when the name is taken. */
  public WriteOutcome create(Actor actor, CaCertificateRecord ca) throws NotPermitted {
    Permission.ADD_CA_CERTIFICATES.check(actor);
    WriteOutcome outcome = enrollments.createCaCertificate(ca, actor.auditName());
    if (outcome != WriteOutcome.CONFLICT) {
      // audited (ca-certificate.added, in the store's transaction)
      LOG.info(
          "added CA certificate {} ({}), verified={} by {}",
          ca.name(),
          ca.subject(),
          ca.verified(),
          actor.auditName());
    }
    return outcome;
  }

  public WriteOutcome delete(Actor actor, String name) throws NotPermitted {
    Permission.DELETE_CA_CERTIFICATES.check(actor);
    WriteOutcome outcome = enrollments.deleteCaCertificate(name, actor.auditName());
    if (outcome != WriteOutcome.NOT_FOUND && outcome != WriteOutcome.IN_USE) {
      // audited (ca-certificate.deleted, in the store's transaction)
      LOG.info("deleted CA certificate {} by {}", name, actor.auditName());
    }
    return outcome;
  }

  /** A new verification code for {@code ca}, and the outcome of storing it. */
  public record Coded(CaCertificateRecord ca, String code, WriteOutcome outcome) {}

  public Coded newVerificationCode(Actor actor, CaCertificateRecord ca) throws NotPermitted {
    Permission.VERIFY_CA_CERTIFICATES.check(actor);
    byte[] b = new byte[24];
    random.nextBytes(b);
    String code = HexFormat.of().withUpperCase().formatHex(b);
    CaCertificateRecord coded = ca.with(ca.verified(), code, UUID.randomUUID().toString(), now());
    return new Coded(
        coded, code, enrollments.updateCaCertificate(coded, ca.etag(), actor.auditName()));
  }

  /** The outcome of a proof of possession. */
  public sealed interface Verification {}

  /** Verified and stored (or not, by {@code outcome}: changed meanwhile). */
  public record Verified(CaCertificateRecord ca, WriteOutcome outcome) implements Verification {}

  /** No verification code was asked for. */
  public record NoCode() implements Verification {}

  /** The proof's CN is not the code. */
  public record WrongCode(String commonName) implements Verification {}

  /** The proof is not signed by the CA's key. */
  public record WrongKey() implements Verification {}

  public Verification verify(Actor actor, CaCertificateRecord ca, X509Certificate proof)
      throws NotPermitted {
    Permission.VERIFY_CA_CERTIFICATES.check(actor);
    if (ca.verificationCode() == null) {
      return new NoCode();
    }
    String cn = Csr.commonName(X500Name.getInstance(proof.getSubjectX500Principal().getEncoded()));
    if (!cn.equals(ca.verificationCode())) {
      return new WrongCode(cn);
    }
    try {
      proof.verify(ca.certificate().getPublicKey());
    } catch (GeneralSecurityException e) {
      return new WrongKey();
    }
    CaCertificateRecord verified = ca.with(true, null, UUID.randomUUID().toString(), now());
    WriteOutcome outcome = enrollments.updateCaCertificate(verified, ca.etag(), actor.auditName());
    if (outcome == WriteOutcome.UPDATED) {
      // audited (ca-certificate.verified, in the store's transaction)
      LOG.info(
          "verified CA certificate {} by proof of possession by {}", ca.name(), actor.auditName());
    }
    return new Verified(verified, outcome);
  }

  /** To the microsecond, as the database keeps it: what a write answers is what a read answers. */
  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }
}
