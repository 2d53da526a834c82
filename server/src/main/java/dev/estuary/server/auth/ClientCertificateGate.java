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

  /**
   * @param validator the label's issuers: configured trust CAs and its own CA
   * @param firstEnrollmentIssuers the configured trust CAs, under which an unknown certificate may
   *     enroll
   */
  public ClientCertificateGate(
      CertificateStore store,
      ChainValidator validator,
      Set<X509Certificate> firstEnrollmentIssuers,
      Clock clock) {
    this.store = store;
    this.validator = validator;
    this.firstEnrollmentIssuers = Set.copyOf(firstEnrollmentIssuers);
    this.clock = clock;
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
    Caller.IssuedHere issuedHere =
        known == null ? null : new Caller.IssuedHere(known.label(), known.serial());
    return Optional.of(
        new Caller(
            name(),
            Thumbprints.sha256(leaf),
            Principals.of(leaf, known),
            List.of(leaf),
            null,
            issuedHere,
            null));
  }
}
