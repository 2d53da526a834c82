package dev.estuary.agent.credential;

import dev.estuary.agent.est.EstClient;
import dev.estuary.agent.est.EstException;
import dev.estuary.agent.est.EstIdentity;
import dev.estuary.agent.renewal.CertificateInfo;
import dev.estuary.agent.renewal.FailureKind;
import dev.estuary.agent.renewal.KeyRotation;
import dev.estuary.agent.renewal.Renewable;
import dev.estuary.agent.renewal.RenewalAttempt;
import dev.estuary.agent.renewal.RenewalOutcome;
import dev.estuary.agent.store.CertificateFiles;
import dev.estuary.agent.store.CredentialStore;
import dev.estuary.agent.store.KeyHandle;
import dev.estuary.pki.CsrBuilder;
import dev.estuary.pki.PkiException;
import java.io.IOException;
import java.net.URI;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A credential obtained and renewed over EST ({@code est-id}, {@code device-id}, {@code
 * aziot-edged-ca}): makes the key (or reuses it), sends a CSR to {@code simpleenroll}, checks the
 * answer, and stores key and certificate so that a matching pair is on disk at every instant.
 *
 * <p>The key is replaced through {@link KeyRotation} when the configuration asks for it, when
 * there is no key yet, or when the key on disk no longer matches the certificate; otherwise the
 * existing key signs the new request. A certificate file the agent did not write (someone replaced
 * it by hand) suspends renewal with a report rather than being overwritten; {@link #adoptFileOnDisk}
 * accepts it.
 */
public final class EstCredential implements Renewable {
  private static final Logger log = LoggerFactory.getLogger(EstCredential.class);

  /**
   * What to request, and where.
   *
   * @param id the credential id, also the key and certificate id in the store
   * @param commonName the subject CN to ask for
   * @param kind a client identity or an Edge CA
   * @param url the EST base URL (the label's)
   */
  public record Request(String id, String commonName, CsrBuilder.Kind kind, URI url) {
    public Request {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(commonName, "commonName");
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(url, "url");
    }
  }

  private final Request request;
  private final CredentialStore store;
  private final EstClient est;
  private final IdentitySource identity;
  private final CertificateLedger ledger;
  private final KeyRotation<List<X509Certificate>> rotation;

  public EstCredential(
      Request request, CredentialStore store, EstClient est, IdentitySource identity, CertificateLedger ledger) {
    this(request, store, est, identity, ledger, KeyRotation.StepObserver.NONE);
  }

  /** As above, with an observer of key-rotation steps (fault-injection tests). */
  public EstCredential(
      Request request,
      CredentialStore store,
      EstClient est,
      IdentitySource identity,
      CertificateLedger ledger,
      KeyRotation.StepObserver steps) {
    this.request = Objects.requireNonNull(request, "request");
    this.store = Objects.requireNonNull(store, "store");
    this.est = Objects.requireNonNull(est, "est");
    this.identity = Objects.requireNonNull(identity, "identity");
    this.ledger = Objects.requireNonNull(ledger, "ledger");
    this.rotation = new KeyRotation<>(store, steps);
  }

  @Override
  public String id() {
    return request.id();
  }

  public Request request() {
    return request;
  }

  /**
   * The certificate and key in force, when both are on disk and belong together; empty otherwise
   * (nothing yet, or a pair broken by hand — the next renewal replaces it).
   */
  public Optional<Pair> pair() throws IOException {
    Optional<List<X509Certificate>> chain = store.certificates().read(id());
    if (chain.isEmpty()) {
      return Optional.empty();
    }
    Optional<KeyHandle> key = store.keys().load(id());
    if (key.isEmpty() || !CredentialStore.certifies(chain.get().get(0), key.get())) {
      return Optional.empty();
    }
    return Optional.of(new Pair(chain.get(), key.get()));
  }

  /** {@link #pair()}, or empty (with a warning in the log) when the files cannot be read. */
  public Optional<Pair> readablePair() {
    try {
      return pair();
    } catch (IOException e) {
      log.warn("{}: cannot read its key and certificate: {}", id(), e.getMessage());
      return Optional.empty();
    }
  }

  /** A certificate chain (leaf first) and its key. */
  public record Pair(List<X509Certificate> chain, KeyHandle key) {
    public X509Certificate leaf() {
      return chain.get(0);
    }

    public CertificateInfo info() {
      return infoOf(leaf());
    }
  }

  @Override
  public Optional<CertificateInfo> current() {
    try {
      rotation.recover(id(), id());
      return pair().map(Pair::info);
    } catch (IOException e) {
      log.warn("{}: cannot read the key and certificate on disk: {}", id(), e.getMessage());
      return Optional.empty();
    }
  }

  /**
   * Accepts the certificate file now on disk as the agent's own (after a person replaced it on
   * purpose), lifting the suspension that a foreign file causes.
   */
  public void adoptFileOnDisk() throws IOException {
    Optional<String> onDisk = store.certificates().fingerprint(id());
    if (onDisk.isPresent()) {
      ledger.committed(id(), onDisk.get());
    }
  }

  @Override
  public RenewalOutcome renew(RenewalAttempt attempt) {
    try {
      Optional<String> foreign = foreignFile();
      if (foreign.isPresent()) {
        return new RenewalOutcome.Suspended(foreign.get());
      }
      EstIdentity who = identity.identityAt(attempt.at());
      Optional<Pair> inForce = pair();
      List<X509Certificate> chain;
      if (attempt.rotateKey() || inForce.isEmpty()) {
        KeyRotation.Result<List<X509Certificate>> result = rotation.rotate(id(), id(), keyId -> enroll(keyId, who, attempt.at()));
        if (result instanceof KeyRotation.Result.Rotated<List<X509Certificate>> rotated) {
          chain = rotated.certificate();
        } else if (result instanceof KeyRotation.Result.KeptOld<List<X509Certificate>> kept) {
          return failure(kept.cause());
        } else if (result instanceof KeyRotation.Result.Interrupted<List<X509Certificate>> interrupted) {
          return RenewalOutcome.Failed.of(
              FailureKind.LOCAL,
              "key rotation interrupted at " + interrupted.step() + ": " + interrupted.cause().getMessage()
                  + " (completed at the next attempt)");
        } else {
          throw new IllegalStateException("unknown rotation result " + result);
        }
      } else {
        chain = enroll(id(), who, attempt.at());
        store.writeCertificate(id(), chain);
      }
      ledger.committed(id(), CertificateFiles.fingerprintOf(chain));
      return new RenewalOutcome.Renewed(infoOf(chain.get(0)));
    } catch (Exception e) {
      return failure(e);
    }
  }

  /** A report when the file on disk is not one the agent wrote; empty when all is well. */
  private Optional<String> foreignFile() throws IOException {
    Optional<String> onDisk = store.certificates().fingerprint(id());
    if (onDisk.isEmpty() || ledger.wrote(id(), onDisk.get())) {
      return Optional.empty();
    }
    if (!ledger.knows(id()) && pair().isPresent()) {
      // A pair that belongs together and no record at all: the agent's own work from before its
      // state file was lost. Take it on.
      ledger.committed(id(), onDisk.get());
      return Optional.empty();
    }
    return Optional.of(
        store.certificates().path(id())
            + " was changed outside the agent (sha256 "
            + onDisk.get().substring(0, 16)
            + "…); it is left as it is");
  }

  private List<X509Certificate> enroll(String keyId, EstIdentity who, Instant now)
      throws IOException, EstException, PkiException, UnusableAnswer {
    KeyHandle key =
        store.keys().load(keyId).orElseThrow(() -> new IOException("the key " + store.keys().describe(keyId) + " vanished"));
    byte[] csr = CsrBuilder.build(request.commonName(), request.kind(), key.publicKey(), key.privateKey(), key.provider());
    log.debug("{}: simpleenroll at {} as {}", id(), request.url(), who.name());
    List<X509Certificate> chain = est.simpleEnroll(request.url(), csr, who);
    check(chain.get(0), key, now);
    ledger.pending(id(), CertificateFiles.fingerprintOf(chain));
    return chain;
  }

  private void check(X509Certificate leaf, KeyHandle key, Instant now) throws UnusableAnswer {
    if (!CredentialStore.certifies(leaf, key)) {
      throw new UnusableAnswer("the certificate returned is for another key");
    }
    if (now.isAfter(leaf.getNotAfter().toInstant())) {
      throw new UnusableAnswer("the certificate returned expired at " + leaf.getNotAfter().toInstant());
    }
    boolean isCa = leaf.getBasicConstraints() >= 0;
    if (request.kind() == CsrBuilder.Kind.EDGE_CA && !isCa) {
      throw new UnusableAnswer("the certificate returned for the Edge CA is not a CA certificate (is the URL an Edge CA label?)");
    }
    if (request.kind() == CsrBuilder.Kind.CLIENT_IDENTITY && isCa) {
      throw new UnusableAnswer("the certificate returned for a client identity is a CA certificate");
    }
  }

  private RenewalOutcome.Failed failure(Exception e) {
    if (e instanceof EstException est) {
      return new RenewalOutcome.Failed(kindOf(est.kind()), est.getMessage(), est.retryAfter());
    } else if (e instanceof UnusableAnswer bad) {
      return RenewalOutcome.Failed.of(FailureKind.BAD_RESPONSE, request.url() + ": " + bad.getMessage());
    }
    return RenewalOutcome.Failed.of(FailureKind.LOCAL, e.getMessage() == null ? e.toString() : e.getMessage());
  }

  private static FailureKind kindOf(EstException.Kind kind) {
    return switch (kind) {
      case UNREACHABLE -> FailureKind.UNREACHABLE;
      case SERVER_ERROR -> FailureKind.SERVER_ERROR;
      case RATE_LIMITED -> FailureKind.RATE_LIMITED;
      case REFUSED -> FailureKind.REFUSED;
      case BAD_RESPONSE -> FailureKind.BAD_RESPONSE;
    };
  }

  static CertificateInfo infoOf(X509Certificate leaf) {
    return new CertificateInfo(leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant());
  }

  /** The server answered 200 with a certificate the device cannot use. */
  private static final class UnusableAnswer extends Exception {
    UnusableAnswer(String message) {
      super(message);
    }
  }
}
