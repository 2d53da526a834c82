package dev.estuary.server.app;

import dev.estuary.server.auth.Actor;
import dev.estuary.server.store.CertificateRecord;
import dev.estuary.server.store.CertificateStore;
import java.math.BigInteger;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Issued certificates: read by any role, revoked by an operator or admin. */
public final class RevocationService {
  private static final Logger LOG = LoggerFactory.getLogger(RevocationService.class);

  private final CertificateStore certificates;
  private final Clock clock;

  public RevocationService(CertificateStore certificates, Clock clock) {
    this.certificates = certificates;
    this.clock = clock;
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

  /**
   * Revokes the certificate with {@code serial}: it stops authenticating at once.
   *
   * @return the certificate as revoked; empty when this server issued none with that serial
   */
  public Optional<CertificateRecord> revoke(Actor actor, BigInteger serial, String reason)
      throws NotPermitted {
    Permission.REVOKE_CERTIFICATES.check(actor);
    if (!certificates.revoke(serial, reason, clock.instant(), actor.auditName())) {
      return Optional.empty();
    }
    // audited (in the store's transaction): actor.auditName() revoked certificate serial (hex), reason
    LOG.info("revoked serial={} reason={} by {}", serial.toString(16), reason, actor.auditName());
    return certificates.findBySerial(serial);
  }
}
