package dev.estuary.server.auth;

import dev.estuary.pki.ChainValidator;
import dev.estuary.pki.PkiException;
import dev.estuary.pki.Thumbprints;
import dev.estuary.server.policy.Refusal;
import dev.estuary.server.store.CertificateRecord;
import dev.estuary.server.store.CertificateStore;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Optional;

/**
 * TLS client certificate (mTLS): the chain must validate to this label's trust anchors at the
 * current time, and the certificate must not be revoked. When this label issued the presented
 * certificate, the caller is re-enrolling.
 */
public final class ClientCertificateGate implements Gate {
  private final CertificateStore store;
  private final ChainValidator validator;
  private final Clock clock;

  public ClientCertificateGate(CertificateStore store, ChainValidator validator, Clock clock) {
    this.store = store;
    this.validator = validator;
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
  public Optional<Caller> authenticate(Credentials credentials, String label) throws Refusal {
    if (credentials.clientChain().isEmpty()) {
      return Optional.empty();
    }
    try {
      validator.validateClient(credentials.clientChain(), clock.instant());
    } catch (PkiException e) {
      throw Refusal.unauthorized(e.getMessage());
    }
    X509Certificate leaf = credentials.clientChain().getFirst();
    String sha256 = Thumbprints.sha256(leaf);
    CertificateRecord known = store.findCertificate(leaf.getSerialNumber(), sha256).orElse(null);
    if (known != null && known.revoked()) {
      throw Refusal.unauthorized(
          "client certificate serial " + known.serial().toString(16) + " was revoked at " + known.revokedAt());
    }
    CertificateRecord prior = known != null && known.label().equals(label) ? known : null;
    return Optional.of(new Caller(name(), sha256, credentials.clientChain(), null, prior));
  }
}
