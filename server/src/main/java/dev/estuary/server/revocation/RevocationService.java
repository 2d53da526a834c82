package dev.estuary.server.revocation;

import dev.estuary.server.app.NotPermitted;
import dev.estuary.server.app.Permission;
import dev.estuary.server.auth.Actor;
import dev.estuary.server.store.CertificateRecord;
import dev.estuary.server.store.RevocationStore;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state changes of revocation, each one method and one transaction: revoke a certificate (by
 * issuer + serial), disable a device, enable it again. Revocation is one decision used everywhere:
 * the record it writes is what the EST gates, the provisioning attestation, the CRLs and the OCSP
 * responder all read; revoking a CA certificate this server issued (an Edge CA) refuses everything
 * beneath it, because every check walks to it (see docs/revocation.md).
 */
public final class RevocationService {
  private static final Logger LOG = LoggerFactory.getLogger(RevocationService.class);

  private final RevocationStore store;
  private final CrlPublisher publisher;
  private final Clock clock;

  /**
   * @param publisher told at once after a revocation (null when nothing is published)
   */
  public RevocationService(RevocationStore store, CrlPublisher publisher, Clock clock) {
    this.store = store;
    this.publisher = publisher;
    this.clock = clock;
  }

  /** What a revocation did. */
  public record Revocation(CertificateRecord certificate, boolean already) {}

  /**
   * Revokes the certificate with this serial (and this issuer, when {@code issuer} is not null: an
   * RFC 2253 DN as recorded). A certificate already revoked keeps its first revocation time and
   * reason. The CRLs are made again before this returns.
   *
   * @return empty when this server issued no such certificate
   */
  public Optional<Revocation> revoke(
      BigInteger serial,
      String issuer,
      RevocationReason reason,
      Instant invalidityDate,
      String actor) {
    Instant now = clock.instant();
    if (invalidityDate != null && invalidityDate.isAfter(now)) {
      throw new IllegalArgumentException(
          "the invalidity date " + invalidityDate + " is in the future (now " + now + ")");
    }
    Optional<CertificateRecord> r =
        store.revoke(serial, issuer, reason.rfcName(), now, invalidityDate, actor);
    // audited: certificate.revoked, in the store's revoke transaction when the record changed
    if (r.isEmpty()) {
      return Optional.empty();
    }
    boolean already = !r.get().revokedAt().equals(StoreTime.micros(now));
    if (!already) {
      LOG.info(
          "revoked serial={} issuer=\"{}\" reason={}",
          serial.toString(16),
          r.get().issuer(),
          reason.rfcName());
      republish();
    }
    return Optional.of(new Revocation(r.get(), already));
  }

  /**
   * As {@link #revoke(BigInteger, String, RevocationReason, Instant, String)}, for {@code actor}
   * when its role may revoke certificates.
   */
  public Optional<Revocation> revoke(
      Actor actor,
      BigInteger serial,
      String issuer,
      RevocationReason reason,
      Instant invalidityDate)
      throws NotPermitted {
    Permission.REVOKE_CERTIFICATES.check(actor);
    return revoke(serial, issuer, reason, invalidityDate, actor.auditName());
  }

  /** As {@link #disable(String, String, String)}, for {@code actor} when its role may. */
  public RevocationStore.DisabledDevice disable(Actor actor, String registrationId, String note)
      throws NotPermitted {
    Permission.DISABLE_DEVICES.check(actor);
    return disable(registrationId, note, actor.auditName());
  }

  /** As {@link #enable(String, String)}, for {@code actor} when its role may. */
  public boolean enable(Actor actor, String registrationId) throws NotPermitted {
    Permission.DISABLE_DEVICES.check(actor);
    return enable(registrationId, actor.auditName());
  }

  /** Whether the device is disabled, for {@code actor} when its role may read devices. */
  public Optional<RevocationStore.DisabledDevice> disabled(Actor actor, String registrationId)
      throws NotPermitted {
    Permission.READ_DEVICES.check(actor);
    return disabled(registrationId);
  }

  private void republish() {
    if (publisher == null) {
      return;
    }
    try {
      publisher.refresh();
    } catch (Exception e) {
      LOG.warn(
          "the CRLs could not be made again now; the publisher retries within {}",
          CrlPublisher.CHECK_INTERVAL,
          e);
    }
  }

  /** Disables the device: its renewals and registrations are refused; nothing else changes. */
  public RevocationStore.DisabledDevice disable(String registrationId, String note, String actor) {
    RevocationStore.DisabledDevice d = store.disable(registrationId, clock.instant(), note, actor);
    // audited: device.disabled, in the store's disable transaction
    LOG.info("disabled device {}", registrationId);
    return d;
  }

  /**
   * Enables the device again.
   *
   * @return false when it was not disabled
   */
  public boolean enable(String registrationId, String actor) {
    boolean was = store.enable(registrationId, clock.instant(), actor);
    // audited: device.enabled, in the store's enable transaction
    if (was) {
      LOG.info("enabled device {}", registrationId);
    }
    return was;
  }

  public Optional<RevocationStore.DisabledDevice> disabled(String registrationId) {
    return store.findDisabled(registrationId);
  }

  /** Instants as the database keeps them (to the microsecond). */
  private static final class StoreTime {
    static Instant micros(Instant t) {
      return t.truncatedTo(ChronoUnit.MICROS);
    }
  }
}
