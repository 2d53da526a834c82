package dev.estuary.agent.daemon;

import dev.estuary.agent.config.AgentConfig;
import dev.estuary.agent.config.DeviceIdentity;
import dev.estuary.agent.config.EstAuth;
import dev.estuary.agent.config.EstCertificate;
import dev.estuary.agent.config.Pkcs11Settings;
import dev.estuary.agent.config.Provisioning;
import dev.estuary.agent.config.RenewalSettings;
import dev.estuary.agent.config.X509Credential;
import dev.estuary.agent.credential.EstCredential;
import dev.estuary.agent.credential.Identities;
import dev.estuary.agent.est.EstClient;
import dev.estuary.agent.net.TlsContexts;
import dev.estuary.agent.provisioning.DpsClient;
import dev.estuary.agent.provisioning.Provisioner;
import dev.estuary.agent.renewal.CredentialStatus;
import dev.estuary.agent.renewal.FollowUp;
import dev.estuary.agent.renewal.FollowUpStatus;
import dev.estuary.agent.renewal.Jitter;
import dev.estuary.agent.renewal.ManagedCredential;
import dev.estuary.agent.renewal.RenewalEngine;
import dev.estuary.agent.renewal.RenewalPolicy;
import dev.estuary.agent.renewal.RenewalSchedule;
import dev.estuary.agent.state.ProvisioningState;
import dev.estuary.agent.state.StateFile;
import dev.estuary.agent.store.CertificateFiles;
import dev.estuary.agent.store.ConfiguredKeys;
import dev.estuary.agent.store.CredentialStore;
import dev.estuary.agent.store.DeviceKeys;
import dev.estuary.agent.store.FileKeys;
import dev.estuary.agent.store.Pkcs11Module;
import dev.estuary.agent.store.PrivateDirectories;
import dev.estuary.agent.store.TrustAnchors;
import dev.estuary.agent.store.TrustStore;
import dev.estuary.pki.CsrBuilder;
import dev.estuary.pki.Thumbprints;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The device agent assembled from its configuration: key and certificate stores under the state
 * directory, the EST client, one {@link EstCredential} per certificate ({@code est-id} first when a
 * bootstrap identity needs it, then {@code device-id}, then {@code aziot-edged-ca}) and the renewal
 * engine that keeps them alive, with the registration with the provisioning service as one of the
 * engine's tasks ({@link Provisioner}) when the configuration asks for it. {@link AgentDaemon}
 * drives it.
 *
 * <p>State directory layout: {@code keys/} (0700, keys 0600, or pointers to token keys), {@code
 * certs/} (PEM chains), {@code state.json}, {@code effective-config.toml}, {@code agent.lock}.
 */
public final class Agent implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Agent.class);

  /** How long one EST request may take to connect, and then to answer. */
  public static final Duration EST_TIMEOUT = Duration.ofSeconds(30);

  private final AgentConfig config;
  private final Clock clock;
  private final StateFile state;
  private final CredentialStore store;
  private final Map<String, EstCredential> credentials;
  private final TrustStore trust;
  private final RenewalEngine engine;
  private final Optional<Provisioner> provisioner;
  private final Optional<Pkcs11Module> pkcs11;
  private final TlsContexts tls;

  private Agent(
      AgentConfig config,
      Clock clock,
      StateFile state,
      CredentialStore store,
      Map<String, EstCredential> credentials,
      TrustStore trust,
      RenewalEngine engine,
      Optional<Provisioner> provisioner,
      Optional<Pkcs11Module> pkcs11,
      TlsContexts tls) {
    this.config = config;
    this.clock = clock;
    this.state = state;
    this.store = store;
    this.credentials = credentials;
    this.trust = trust;
    this.engine = engine;
    this.provisioner = provisioner;
    this.pkcs11 = pkcs11;
    this.tls = tls;
  }

  /**
   * The state directory of {@code config}, created with mode 0700 when missing, set to 0700 (with
   * one line in the log) when others may look or write in it.
   *
   * @throws IOException also when it lets others in and belongs to another user
   */
  public static Path stateDirectory(AgentConfig config) throws IOException {
    return PrivateDirectories.ensurePrivate(config.agent().stateDir());
  }

  /** Builds the agent for {@code config}; creates the state directory (0700) when missing. */
  public static Agent open(AgentConfig config, Clock clock) throws IOException {
    Path stateDir = stateDirectory(config);
    Optional<Pkcs11Settings> module = config.pkcs11Module();
    Optional<Pkcs11Module> pkcs11 =
        module.isPresent() ? Optional.of(Pkcs11Module.open(module.get())) : Optional.empty();
    try {
      DeviceKeys keys =
          pkcs11.filter(Pkcs11Module::generatesKeys).isPresent()
              ? pkcs11.get().keys(stateDir.resolve("keys"), config.agent().keyType().configName())
              : new FileKeys(
                  stateDir.resolve("keys"),
                  config.agent().keyType().configName(),
                  new SecureRandom());
      if (Files.exists(stateDir.resolve("certs"))) {
        PrivateDirectories.ensure(stateDir.resolve("certs"), CertificateFiles.DIR_MODE);
      }
      CredentialStore store =
          new CredentialStore(keys, new CertificateFiles(stateDir.resolve("certs")));
      StateFile state = StateFile.open(stateDir, clock);
      TrustStore trust =
          TrustStore.open(
              stateDir,
              TrustAnchors.load(config.est().trustedCerts(), config.agent().systemTrustStore()));
      // One TLS context per identity for EST and provisioning alike: a pass's requests with an
      // identity share a kept-alive connection, and a later pass resumes its TLS session
      // (TlsContexts).
      TlsContexts tls = new TlsContexts();
      EstClient est = new EstClient(trust::all, EST_TIMEOUT, clock, tls);
      Identities identities = new Identities(new ConfiguredKeys(pkcs11.map(Pkcs11Module::opener)));

      Map<String, EstCredential> credentials = new LinkedHashMap<>();
      List<ManagedCredential> managed = new ArrayList<>();
      String seed = seedOf(config);
      Supplier<Optional<EstCredential.Pair>> estIdPair =
          () ->
              Optional.ofNullable(credentials.get(EstCertificate.EST_ID))
                  .flatMap(EstCredential::readablePair);
      // A server refused the EST identity for another credential: replace est-id (through the
      // bootstrap identity) at the next step rather than at its renewal time.
      AtomicReference<RenewalEngine> engineOnceBuilt = new AtomicReference<>();
      Runnable estIdRefused =
          () -> {
            RenewalEngine built = engineOnceBuilt.get();
            if (built != null && credentials.containsKey(EstCertificate.EST_ID)) {
              built.renewNow(EstCertificate.EST_ID, clock.instant());
            }
          };
      BiConsumer<EstCredential.Request, EstCertificate> add =
          (request, authFrom) -> {
            EstCredential credential =
                new EstCredential(
                    request,
                    store,
                    est,
                    identities.sourceFor(authFrom.auth(), estIdPair, estIdRefused),
                    state,
                    clock,
                    trust);
            credentials.put(credential.id(), credential);
            managed.add(
                managed(
                    credential,
                    request.id().equals(EstCertificate.EST_ID)
                        ? config.est().identityAutoRenew()
                        : authFrom.autoRenew(),
                    seed));
          };
      // est-id first: the others authenticate with it. Requested like the first certificate that
      // needs it.
      config.estCertificates().stream()
          .filter(c -> c.auth().needsEstIdentity())
          .findFirst()
          .ifPresent(
              target ->
                  add.accept(
                      new EstCredential.Request(
                          EstCertificate.EST_ID,
                          target.commonName(),
                          CsrBuilder.Kind.CLIENT_IDENTITY,
                          config.est().estIdentityUrl().orElse(target.url())),
                      target));
      for (EstCertificate cert : config.estCertificates()) {
        CsrBuilder.Kind kind =
            cert.id().equals(EstCertificate.EDGE_CA)
                ? CsrBuilder.Kind.EDGE_CA
                : CsrBuilder.Kind.CLIENT_IDENTITY;
        add.accept(new EstCredential.Request(cert.id(), cert.commonName(), kind, cert.url()), cert);
      }
      publishPreloadedIdentity(config, store.certificates(), state);
      Optional<Provisioner> provisioner =
          config.provisioning() instanceof Provisioning.Dps dps
                  && credentials.containsKey(EstCertificate.DEVICE_ID)
              ? Optional.of(
                  new Provisioner(
                      dps,
                      credentials.get(EstCertificate.DEVICE_ID)::readablePair,
                      new DpsClient(trust::all, EST_TIMEOUT, clock, tls),
                      state.provisioning(),
                      clock))
              : Optional.empty();
      RenewalEngine engine =
          new RenewalEngine(clock, managed, provisioner.<FollowUp>map(p -> p).stream().toList());
      engineOnceBuilt.set(engine);
      Agent agent =
          new Agent(
              config,
              clock,
              state,
              store,
              Map.copyOf(credentials),
              trust,
              engine,
              provisioner,
              pkcs11,
              tls);
      agent.publish();
      return agent;
    } catch (IOException | RuntimeException e) {
      pkcs11.ifPresent(Pkcs11Module::close);
      throw e;
    }
  }

  private static ManagedCredential managed(
      EstCredential credential, RenewalSettings settings, String seed) {
    RenewalPolicy policy = RenewalPolicy.parse(settings.threshold(), settings.retry());
    return new ManagedCredential(
        credential,
        new RenewalSchedule(policy, Jitter.forSeed(seed + "/" + credential.id())),
        settings.rotateKey());
  }

  /**
   * Unique per device, stable across restarts: the first certificate's CN (the registration id for
   * the device identity) and the fingerprint of the device's own identity or bootstrap certificate
   * file (its IDevID), so a fleet whose Edge CAs share one default CN still spreads out.
   */
  private static String seedOf(AgentConfig config) {
    String cn =
        config.estCertificates().stream()
            .map(EstCertificate::commonName)
            .findFirst()
            .orElse("estuary");
    String idevid =
        config.estCertificates().stream()
            .map(EstCertificate::auth)
            .flatMap(a -> a.identity().or(a::bootstrapIdentity).stream())
            .findFirst()
            .map(
                c -> {
                  try {
                    return Thumbprints.sha256(Files.readAllBytes(Path.of(c.cert())));
                  } catch (IOException | RuntimeException e) {
                    return "";
                  }
                })
            .orElse("");
    return cn + "|" + idevid;
  }

  /**
   * With {@code identity_cert} (the seed's IDevID) the EST identity is that certificate, used as
   * is: a copy goes to {@code certs/} under {@code est-id}, as the Azure identity service lists it,
   * refreshed when the configured file changes. The key stays where it is.
   */
  private static void publishPreloadedIdentity(
      AgentConfig config, CertificateFiles certs, StateFile state) throws IOException {
    Optional<X509Credential> identity =
        config.estCertificates().stream()
            .map(EstCertificate::auth)
            .map(EstAuth::identity)
            .flatMap(Optional::stream)
            .findFirst();
    if (identity.isEmpty() || config.needsEstIdentity()) {
      return;
    }
    List<X509Certificate> chain = Identities.readChain(identity.get());
    String fingerprint = CertificateFiles.fingerprintOf(chain);
    if (!fingerprint.equals(certs.fingerprint(EstCertificate.EST_ID).orElse(null))) {
      state.pending(EstCertificate.EST_ID, fingerprint);
      certs.write(EstCertificate.EST_ID, chain);
      state.committed(EstCertificate.EST_ID, fingerprint);
      log.info(
          "est-id: the identity certificate {} is the EST identity (preloaded, not renewed by the agent)",
          identity.get().cert());
    }
  }

  /**
   * Attempts every credential and task (the registration) that is due; saves the state.
   *
   * @return the credentials attempted
   */
  public List<CredentialStatus> tick() throws IOException {
    List<CredentialStatus> attempted;
    try {
      attempted = engine.tick();
    } finally {
      tls.closeConnections(); // kept within the pass (TlsContexts), none while the agent sleeps
    }
    publish();
    return attempted;
  }

  /** Records the engine's schedule in the state file. */
  private void publish() throws IOException {
    state.publish(
        engine.status(),
        engine.followUps().stream()
            .filter(t -> t.id().equals(Provisioner.ID))
            .findFirst()
            .flatMap(FollowUpStatus::nextAttempt));
  }

  /**
   * Makes {@code id} due now, accepting a certificate file changed by hand as the agent's own first
   * (the person asking for the renewal has looked at it).
   *
   * @throws IllegalArgumentException for an unknown id
   */
  public void renewNow(String id) throws IOException {
    EstCredential credential = credentials.get(id);
    if (credential == null) {
      throw new IllegalArgumentException(
          "no credential '" + id + "' (known: " + String.join(", ", ids()) + ")");
    }
    credential.adoptFileOnDisk();
    engine.renewNow(id, clock.instant());
    publish();
  }

  /** The credentials the agent manages, in renewal order. */
  public List<String> ids() {
    return engine.status().stream().map(CredentialStatus::id).toList();
  }

  /**
   * The roots trusted for the servers now: {@code trusted_certs}, the JDK's when configured, and
   * the roots added through root key updates ({@link TrustStore}).
   */
  public List<X509Certificate> trustAnchors() {
    return trust.all();
  }

  /** The trust store, with the roots the agent added itself. */
  public TrustStore trustStore() {
    return trust;
  }

  public RenewalEngine engine() {
    return engine;
  }

  public StateFile state() {
    return state;
  }

  public CredentialStore store() {
    return store;
  }

  public AgentConfig config() {
    return config;
  }

  /** The credential with {@code id}, if the agent manages it. */
  public Optional<EstCredential> credential(String id) {
    return Optional.ofNullable(credentials.get(id));
  }

  /**
   * The registration with the provisioning service, when the configuration registers ({@code
   * [provisioning] source = "dps"}) and the agent obtains the device identity; {@link
   * ProvisioningState#NONE} until the first attempt.
   */
  public Optional<ProvisioningState> provisioning() {
    return provisioner.map(Provisioner::state);
  }

  /**
   * Whether the device is registered as its configuration asks: true without DPS registration, else
   * when it is assigned with the device identity now on disk.
   */
  public boolean registered() {
    if (provisioner.isEmpty()) {
      return true;
    }
    return credential(EstCertificate.DEVICE_ID)
        .flatMap(EstCredential::readablePair)
        .map(p -> provisioner.get().state().assignedWith(DpsClient.thumbprint(p.leaf())))
        .orElse(false);
  }

  /** The device identity certificate's id when the device has one the agent obtains. */
  public Optional<String> deviceIdentityId() {
    return config
        .provisioning()
        .deviceIdentity()
        .filter(d -> d instanceof DeviceIdentity.Issued)
        .map(d -> EstCertificate.DEVICE_ID);
  }

  @Override
  public void close() {
    tls.closeConnections();
    pkcs11.ifPresent(Pkcs11Module::close);
  }

  Clock clock() {
    return clock;
  }
}
