package dev.estuary.server.auth;

import dev.estuary.pki.ChainValidator;
import dev.estuary.pki.PkiException;
import dev.estuary.pki.Thumbprints;
import dev.estuary.server.store.CertificateRecord;
import dev.estuary.server.store.CertificateStore;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * TLS client certificate (mTLS). The end-entity certificate must be signed <em>directly</em> by one
 * of the label's issuers (its configured trust CAs, or its own CA for renewals): no CA certificate
 * a device holds (an Edge CA) is ever a path. A certificate this server issued is looked up by
 * issuer and serial and compared by its TBS (a re-encoded signature is still the same certificate)
 * and must not be revoked. Under the label's own CA only certificates the label issued are
 * accepted; a certificate it does not know is a first enrollment only under a configured trust
 * issuer.
 */
public final class ClientCertificateGate implements Gate {
  private final CertificateStore store;
  private final ChainValidator validator;
  private final Set<X509Certificate> firstEnrollmentIssuers;
  private final Clock clock;
  private final Predicate<String> principalDisabled;

  /**
   * @param validator the label's issuers: configured trust CAs and its own CA
   * @param firstEnrollmentIssuers the configured trust CAs, under which an unknown certificate may
   *     enroll
   * @param principalDisabled true for the principal (auth.Principals) of a disabled device
   */
  public ClientCertificateGate(
      CertificateStore store,
      ChainValidator validator,
      Set<X509Certificate> firstEnrollmentIssuers,
      Clock clock,
      Predicate<String> principalDisabled) {
    this.store = store;
    this.validator = validator;
    this.firstEnrollmentIssuers = Set.copyOf(firstEnrollmentIssuers);
    this.clock = clock;
    this.principalDisabled = principalDisabled;
  }

  /** A gate for which no device is disabled. */
  public ClientCertificateGate(
      CertificateStore store,
      ChainValidator validator,
      Set<X509Certificate> firstEnrollmentIssuers,
      Clock clock) {
    this(store, validator, firstEnrollmentIssuers, clock, p -> false);
  }

  @Override
  public String name() {
    return "mtls";
  }

  public ChainValidator validator() {
    return validator;
  }

  @Override
  public Optional<Caller> authenticate(Credentials credentials, String label)
      throws AuthenticationFailed {
    if (credentials.clientChain().isEmpty()) {
      return Optional.empty();
    }
    ChainValidator.Validated validated;
    try {
      validated = validator.validateDirect(credentials.clientChain(), clock.instant());
    } catch (ChainValidator.Untrusted e) {
      // Anyone can make such a certificate: counted like a wrong password.
      throw AuthenticationFailed.wrongCredentials(e.getMessage());
    } catch (PkiException e) {
      throw new AuthenticationFailed(e.getMessage());
    }
    X509Certificate leaf = validated.leaf();
    CertificateRecord known = store.findIssued(leaf).orElse(null);
    if (known != null && known.revoked()) {
      throw new AuthenticationFailed(
          "client certificate serial "
              + known.serial().toString(16)
              + " was revoked at "
              + known.revokedAt());
    }
    // A trust issuer this server issued (an Edge CA configured as a label's trust) that is revoked
    // takes every certificate beneath it with it: one revocation, used everywhere.
    CertificateRecord issuer = store.findIssued(validated.anchor()).orElse(null);
    if (issuer != null && issuer.revoked()) {
      throw new AuthenticationFailed(
          "the issuer of the client certificate (serial "
              + issuer.serial().toString(16)
              + ") was revoked at "
              + issuer.revokedAt());
    }
    if (!firstEnrollmentIssuers.contains(validated.anchor())
        && (known == null || !known.label().equals(label))) {
      throw new AuthenticationFailed(
          "client certificate serial "
              + leaf.getSerialNumber().toString(16)
              + " is not one label '"
              + label
              + "' issued, and its issuer '"
              + validated.anchor().getSubjectX500Principal().getName()
              + "' is not a trust issuer of the label (it only renews what the label issued)");
    }
    String principal = Principals.of(leaf, known);
    if (principalDisabled.test(principal)) {
      throw new AuthenticationFailed(
          "the device holding client certificate serial "
              + leaf.getSerialNumber().toString(16)
              + " is disabled (estuary server device enable ID)");
    }
    Caller.IssuedHere issuedHere =
        known == null ? null : new Caller.IssuedHere(known.label(), known.serial());
    return Optional.of(
        new Caller(
            name(), Thumbprints.sha256(leaf), principal, List.of(leaf), null, issuedHere, null));
  }
}
