package dev.estuary.server.revocation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.estuary.server.app.NotPermitted;
import dev.estuary.server.auth.Actor;
import dev.estuary.server.auth.Role;
import dev.estuary.server.store.CertificateRecord;
import dev.estuary.server.store.RevocationStore;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * {@link RevocationService} alone, over an in-memory store that remembers every write: it checks
 * the actor's role itself, before the store is touched, whoever calls it.
 */
class RevocationServiceTest {
  static final Instant T0 = Instant.parse("2026-12-05T09:00:00Z");
  static final BigInteger SERIAL = BigInteger.valueOf(0x5eed);

  static final Actor AUDITOR = Actor.token("aud", Role.AUDITOR);
  static final Actor OPERATOR = Actor.token("op", Role.OPERATOR);

  /** The certificates and disabled devices of a store, in memory; {@code writes} lists changes. */
  static final class MemoryStore implements RevocationStore {
    final Map<BigInteger, CertificateRecord> certificates = new ConcurrentHashMap<>();
    final Map<String, DisabledDevice> disabled = new ConcurrentHashMap<>();
    final List<String> writes = new ArrayList<>();

    @Override
    public Optional<CertificateRecord> revoke(
        BigInteger serial,
        String issuer,
        String reason,
        Instant at,
        Instant invalidityDate,
        String actor) {
      CertificateRecord c = certificates.get(serial);
      if (c == null) {
        return Optional.empty();
      }
      if (!c.revoked()) {
        writes.add("revoke " + serial.toString(16) + " " + reason + " by " + actor);
        c =
            new CertificateRecord(
                c.serial(),
                c.subject(),
                c.issuer(),
                c.notBefore(),
                c.notAfter(),
                c.label(),
                c.keyAlgorithm(),
                c.sha256(),
                c.gate(),
                c.requester(),
                c.issuedAt(),
                c.der(),
                at,
                reason,
                c.principal());
        certificates.put(serial, c);
      }
      return Optional.of(c);
    }

    @Override
    public List<Revoked> revokedUnder(String issuer, Instant expiringAfter) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Optional<Revoked> revocation(BigInteger serial) {
      throw new UnsupportedOperationException();
    }

    @Override
    public String watermark() {
      throw new UnsupportedOperationException();
    }

    @Override
    public BigInteger nextCrlNumber(String caId) {
      throw new UnsupportedOperationException();
    }

    @Override
    public DisabledDevice disable(String registrationId, Instant at, String note, String actor) {
      writes.add("disable " + registrationId + " by " + actor);
      return disabled.computeIfAbsent(registrationId, id -> new DisabledDevice(id, at, note));
    }

    @Override
    public boolean enable(String registrationId, Instant at, String actor) {
      writes.add("enable " + registrationId + " by " + actor);
      return disabled.remove(registrationId) != null;
    }

    @Override
    public Optional<DisabledDevice> findDisabled(String registrationId) {
      return Optional.ofNullable(disabled.get(registrationId));
    }

    @Override
    public boolean principalDisabled(String principal) {
      throw new UnsupportedOperationException();
    }
  }

  private final MemoryStore store = new MemoryStore();
  private final RevocationService service =
      new RevocationService(store, null, Clock.fixed(T0, ZoneOffset.UTC));

  RevocationServiceTest() {
    store.certificates.put(
        SERIAL,
        new CertificateRecord(
            SERIAL,
            "CN=device-7",
            "CN=Estuary Device CA",
            T0.minusSeconds(3600),
            T0.plusSeconds(86_400),
            "device-id",
            "EC",
            "00",
            "secret",
            "device:device-7",
            T0.minusSeconds(3600),
            new byte[] {1},
            null,
            null,
            "device-7"));
  }

  @Test
  void anAuditorsRevocationIsNotPermittedAndRevokesNothing() {
    assertThatThrownBy(
            () -> service.revoke(AUDITOR, SERIAL, null, RevocationReason.KEY_COMPROMISE, null))
        .isInstanceOf(NotPermitted.class)
        .hasMessageContaining("auditor role may not revoke certificates")
        .hasMessageContaining("token:aud");
    assertThat(store.writes).isEmpty();
    assertThat(store.certificates.get(SERIAL).revoked()).isFalse();
  }

  @Test
  void anOperatorsRevocationRevokesInItsName() throws Exception {
    RevocationService.Revocation r =
        service.revoke(OPERATOR, SERIAL, null, RevocationReason.KEY_COMPROMISE, null).orElseThrow();

    assertThat(r.already()).isFalse();
    assertThat(r.certificate().revoked()).isTrue();
    assertThat(r.certificate().revocationReason()).isEqualTo("keyCompromise");
    assertThat(store.writes).containsExactly("revoke 5eed keyCompromise by token:op");
  }

  @Test
  void anAuditorMayReadADevicesStateButNeitherDisableNorEnableIt() throws Exception {
    assertThatThrownBy(() -> service.disable(AUDITOR, "device-7", "stolen"))
        .isInstanceOf(NotPermitted.class)
        .hasMessageContaining("disable and enable devices");
    assertThatThrownBy(() -> service.enable(AUDITOR, "device-7")).isInstanceOf(NotPermitted.class);
    assertThat(store.writes).isEmpty();
    assertThat(service.disabled(AUDITOR, "device-7")).isEmpty();

    service.disable(OPERATOR, "device-7", "stolen");
    assertThat(service.disabled(AUDITOR, "device-7")).isPresent();
    assertThat(service.enable(OPERATOR, "device-7")).isTrue();
    assertThat(store.writes)
        .containsExactly("disable device-7 by token:op", "enable device-7 by token:op");
  }
}
