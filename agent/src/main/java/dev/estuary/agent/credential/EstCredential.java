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
import dev.estuary.agent.store.TrustStore;
import dev.estuary.agent.text.Printable;
import dev.estuary.pki.CsrBuilder;
import dev.estuary.pki.PkiException;
import dev.estuary.pki.RootLinks;
import java.io.IOException;
import java.net.URI;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A credential obtained and renewed over EST ({@code est-id}, {@code device-id}, {@code
 * aziot-edged-ca}): makes the key (or reuses it), sends a CSR to {@code simpleenroll}, checks the
 * answer with {@link IssuedCertificateCheck} (completing the chain from {@code cacerts} when the
 * server sent the issued certificate alone) before anything is written, and stores key and
 * certificate so that a matching pair is on disk at every instant. A 401/403 to the identity
 * presented is retried once with the identity the {@link IdentitySource} offers instead (the
 * bootstrap identity for a refused {@code est-id}).
 *
 * <p>The key is replaced through {@link KeyRotation} when the configuration asks for it, when there
 * is no key yet, or when the key on disk no longer matches the certificate; otherwise the existing
 * key signs the new request. A certificate file the agent did not write (someone replaced it by
 * hand) suspends renewal with a report rather than being overwritten; {@link #adoptFileOnDisk}
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
  private final Clock clock;
  private final TrustStore trust;

  /**
   * @param clock judges the chain of the pair on disk
   * @param trust at each renewal the label's {@code cacerts} is fetched and a new root that a link
   *     certificate vouches for joins it (a root rollover: see {@link TrustStore}); null for none
   */
  public EstCredential(
      Request request,
      CredentialStore store,
      EstClient est,
      IdentitySource identity,
      CertificateLedger ledger,
      Clock clock,
      TrustStore trust) {
    this.trust = trust;
    this.clock = Objects.requireNonNull(clock, "clock");
    this.request = Objects.requireNonNull(request, "request");
    this.store = Objects.requireNonNull(store, "store");
    this.est = Objects.requireNonNull(est, "est");
    this.identity = Objects.requireNonNull(identity, "identity");
    this.ledger = Objects.requireNonNull(ledger, "ledger");
    this.rotation = new KeyRotation<>(store);
  }

  /** The check against the roots trusted now (a root key update may have added one). */
  private IssuedCertificateCheck check() {
    return new IssuedCertificateCheck(est.trustAnchors());
  }

  /**
   * Fetches {@code cacerts} and adds the new roots it vouches for with a link certificate (RFC 7030
   * §4.1.3) to the trust store; a failure is one log line, the renewal goes on.
   *
   * @return the {@code cacerts} answer, to complete the chain of the certificate this renewal gets;
   *     empty when not fetched
   */
  private Optional<List<X509Certificate>> followRootUpdate(EstIdentity who, Instant now) {
    if (trust == null) {
      return Optional.empty();
    }
    try {
      List<X509Certificate> caCerts = est.caCerts(request.url(), who);
      trust.learn(caCerts, now);
      return Optional.of(caCerts);
    } catch (EstException | IOException e) {
      log.info("{}: cacerts not checked for a new root: {}", id(), Printable.of(e.getMessage()));
      return Optional.empty();
    }
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
    return pair(false);
  }

  /**
   * {@link #pair()}; with {@code report}, one log line says why a pair on disk is not used. A
   * certificate that does not chain to the trust anchors is not used (it came from a server that
   * should not have issued it); a key file that cannot be read is a broken pair, replaced by the
   * next renewal like any other.
   */
  private Optional<Pair> pair(boolean report) throws IOException {
    Optional<List<X509Certificate>> chain = store.certificates().read(id());
    if (chain.isEmpty()) {
      return Optional.empty();
    }
    Optional<KeyHandle> key;
    try {
      key = store.keys().load(id());
    } catch (IOException unreadable) {
      if (report) {
        log.warn(
            "{}: its key is unreadable ({}); the pair is replaced with a new key",
            id(),
            Printable.of(unreadable.getMessage()));
      }
      return Optional.empty();
    }
    if (key.isEmpty() || !CredentialStore.certifies(chain.get().get(0), key.get())) {
      return Optional.empty();
    }
    try {
      check().stored(chain.get(), clock.instant());
    } catch (IssuedCertificateCheck.Unacceptable e) {
      if (report) {
        log.warn(
            "{}: {} is not used: {}",
            id(),
            store.certificates().path(id()),
            e.getMessage().replace("the certificate returned", "the certificate"));
      }
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
      return pair(true).map(Pair::info);
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
      Optional<List<X509Certificate>> caCerts = followRootUpdate(who, attempt.at());
      Optional<Pair> inForce = pair();
      List<X509Certificate> chain;
      if (attempt.rotateKey() || inForce.isEmpty()) {
        KeyRotation.Result<List<X509Certificate>> result =
            rotation.rotate(id(), id(), keyId -> enroll(keyId, who, attempt.at(), caCerts));
        if (result instanceof KeyRotation.Result.Rotated<List<X509Certificate>> rotated) {
          chain = rotated.certificate();
        } else if (result instanceof KeyRotation.Result.KeptOld<List<X509Certificate>> kept) {
          return failure(kept.cause());
        } else if (result
            instanceof KeyRotation.Result.Interrupted<List<X509Certificate>> interrupted) {
          return RenewalOutcome.Failed.of(
              FailureKind.LOCAL,
              "key rotation interrupted at "
                  + interrupted.step()
                  + ": "
                  + interrupted.cause().getMessage()
                  + " (completed at the next attempt)");
        } else {
          throw new IllegalStateException("unknown rotation result " + result);
        }
      } else {
        chain = enroll(id(), who, attempt.at(), caCerts);
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

  /**
   * Enrolls the key {@code keyId} as {@code who}; {@code caCerts}, the label's {@code cacerts} as
   * fetched earlier in this renewal, if it was, completes the chain of an answer without one.
   */
  private List<X509Certificate> enroll(
      String keyId, EstIdentity who, Instant now, Optional<List<X509Certificate>> caCerts)
      throws IOException, EstException, PkiException, UnusableAnswer {
    KeyHandle key =
        store
            .keys()
            .load(keyId)
            .orElseThrow(
                () -> new IOException("the key " + store.keys().describe(keyId) + " vanished"));
    byte[] csr =
        CsrBuilder.build(
            request.commonName(),
            request.kind(),
            key.publicKey(),
            key.privateKey(),
            key.provider());
    log.debug("{}: simpleenroll at {} as {}", id(), request.url(), who.name());
    List<X509Certificate> answer;
    EstIdentity as = who;
    try {
      answer = est.simpleEnroll(request.url(), csr, who);
    } catch (EstException e) {
      Optional<EstIdentity> instead =
          refusedIdentity(e) ? identity.afterRefusal(who, id(), now) : Optional.empty();
      if (instead.isEmpty()) {
        throw e;
      }
      as = instead.get();
      answer = est.simpleEnroll(request.url(), csr, as);
    }
    List<X509Certificate> chain = checked(answer, as, key, now, caCerts);
    ledger.pending(id(), CertificateFiles.fingerprintOf(chain));
    return chain;
  }

  /** 401 or 403: the server refused the identity presented. */
  private static boolean refusedIdentity(EstException e) {
    return e.kind() == EstException.Kind.REFUSED && (e.status() == 401 || e.status() == 403);
  }

  /**
   * The chain to store for {@code answer}, after {@link IssuedCertificateCheck}: with the chain the
   * answer carries, or else with the label's {@code cacerts} (a server that answers with the issued
   * certificate alone, as RFC 7030 §4.2.3 says): the one fetched earlier in this renewal ({@code
   * fetched}, over the same connection), else fetched now.
   */
  private List<X509Certificate> checked(
      List<X509Certificate> answer,
      EstIdentity who,
      KeyHandle key,
      Instant now,
      Optional<List<X509Certificate>> fetched)
      throws EstException, UnusableAnswer {
    IssuedCertificateCheck.Expected expected =
        new IssuedCertificateCheck.Expected(key.publicKey(), request.commonName(), request.kind());
    IssuedCertificateCheck check = check();
    try {
      return check.check(answer, List.of(), expected, now);
    } catch (IssuedCertificateCheck.Unacceptable e) {
      if (!e.unchained()) {
        throw new UnusableAnswer(e.getMessage());
      }
    }
    if (fetched.isPresent()) {
      try {
        return withCaCerts(check, answer, fetched.get(), expected, now);
      } catch (IssuedCertificateCheck.Unacceptable e) {
        if (!e.unchained()) {
          throw new UnusableAnswer(e.getMessage());
        }
      }
    }
    // The CA that issued it is not in cacerts yet: it was rolled a moment ago. Asked again over
    // the enrollment's connection (the replica that issued it knows it), and once more over a new
    // connection (a replica that has not taken the roll up answered: replicas take it up within
    // seconds of each other) before the answer is refused.
    try {
      return withCaCerts(check, answer, est.caCerts(request.url(), who), expected, now);
    } catch (IssuedCertificateCheck.Unacceptable e) {
      if (!e.unchained()) {
        throw new UnusableAnswer(e.getMessage());
      }
    }
    est.closeConnections();
    try {
      return withCaCerts(check, answer, est.caCerts(request.url(), who), expected, now);
    } catch (IssuedCertificateCheck.Unacceptable e) {
      throw new UnusableAnswer(e.getMessage());
    }
  }

  /** {@code answer} checked with the chain {@code caCerts} completes. */
  private static List<X509Certificate> withCaCerts(
      IssuedCertificateCheck check,
      List<X509Certificate> answer,
      List<X509Certificate> caCerts,
      IssuedCertificateCheck.Expected expected,
      Instant now)
      throws IssuedCertificateCheck.Unacceptable {
    List<X509Certificate> direct = RootLinks.withoutLinks(caCerts);
    if (direct.size() < caCerts.size()) {
      // A root rollover: prefer the path to the root that issued the CA over one across a link.
      try {
        return check.check(answer, direct, expected, now);
      } catch (IssuedCertificateCheck.Unacceptable e) {
        if (!e.unchained()) {
          throw e;
        }
      }
    }
    return check.check(answer, caCerts, expected, now);
  }

  private RenewalOutcome.Failed failure(Exception e) {
    if (e instanceof EstException est) {
      return new RenewalOutcome.Failed(
          kindOf(est.kind()), Printable.of(est.getMessage()), est.retryAfter());
    } else if (e instanceof UnusableAnswer bad) {
      return RenewalOutcome.Failed.of(
          FailureKind.BAD_RESPONSE, request.url() + ": " + Printable.of(bad.getMessage()));
    }
    return RenewalOutcome.Failed.of(
        FailureKind.LOCAL, Printable.of(e.getMessage() == null ? e.toString() : e.getMessage()));
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
