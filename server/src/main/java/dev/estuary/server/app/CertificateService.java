package dev.estuary.server.app;

import dev.estuary.server.auth.Actor;
import dev.estuary.server.store.CertificateRecord;
import dev.estuary.server.store.CertificateStore;
import java.math.BigInteger;
import java.util.List;
import java.util.Optional;

/**
 * Issued certificates, read by any role. (Revocation is {@code revocation.RevocationService}'s,
 * behind {@link Permission#REVOKE_CERTIFICATES} in the admin API's route table.)
 */
public final class CertificateService {
  private final CertificateStore certificates;

  public CertificateService(CertificateStore certificates) {
    this.certificates = certificates;
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
}
