package dev.estuary.server;

import dev.estuary.pki.IssuingCa;
import dev.estuary.pki.Serials;
import dev.estuary.server.admin.AdminHandler;
import dev.estuary.server.admin.AuditAdmin;
import dev.estuary.server.admin.RevocationAdmin;
import dev.estuary.server.app.CaCertificateService;
import dev.estuary.server.app.CertificateService;
import dev.estuary.server.app.ConsoleUserService;
import dev.estuary.server.app.CredentialService;
import dev.estuary.server.app.EnrollmentService;
import dev.estuary.server.app.TokenService;
import dev.estuary.server.audit.Actors;
import dev.estuary.server.audit.AuditEvent;
import dev.estuary.server.audit.AuditLog;
import dev.estuary.server.audit.AuthFailureTally;
import dev.estuary.server.auth.AuthLimits;
import dev.estuary.server.auth.FailedAuthLimiter;
import dev.estuary.server.auth.SecretMinter;
import dev.estuary.server.ca.CaKeys;
import dev.estuary.server.config.ServerConfig;
import dev.estuary.server.console.ConsoleHandler;
import dev.estuary.server.console.ConsolePages;
import dev.estuary.server.est.EstHandler;
import dev.estuary.server.http.HttpsServer;
import dev.estuary.server.http.JsseProviders;
import dev.estuary.server.http.SlowClientGuard;
import dev.estuary.server.http.StoreWorkers;
import dev.estuary.server.issuance.IssuanceService;
import dev.estuary.server.metrics.Endpoints;
import dev.estuary.server.metrics.HealthHandler;
import dev.estuary.server.metrics.Readiness;
import dev.estuary.server.metrics.RequestTimer;
import dev.estuary.server.metrics.ServerMetrics;
import dev.estuary.server.policy.Label;
import dev.estuary.server.policy.LiveLabels;
import dev.estuary.server.provisioning.ProvisioningHandler;
import dev.estuary.server.provisioning.Registrar;
import dev.estuary.server.revocation.CrlPublisher;
import dev.estuary.server.revocation.DelegatedResponders;
import dev.estuary.server.revocation.OcspResponder;
import dev.estuary.server.revocation.OcspService;
import dev.estuary.server.revocation.PublishedCa;
import dev.estuary.server.revocation.RevocationHandler;
import dev.estuary.server.revocation.RevocationService;
import dev.estuary.server.store.BindingStore;
import dev.estuary.server.store.CachingCredentialStore;
import dev.estuary.server.store.CachingEnrollmentStore;
import dev.estuary.server.store.CertificateCensus;
import dev.estuary.server.store.CertificateSearch;
import dev.estuary.server.store.CertificateStore;
import dev.estuary.server.store.ChangeFeed;
import dev.estuary.server.store.CredentialStore;
import dev.estuary.server.store.Database;
import dev.estuary.server.store.EnrollmentStore;
import dev.estuary.server.store.FleetStatistics;
import dev.estuary.server.store.JdbiAdminTokenStore;
import dev.estuary.server.store.JdbiBindingStore;
import dev.estuary.server.store.JdbiCertificateStore;
import dev.estuary.server.store.JdbiConsoleUserStore;
import dev.estuary.server.store.JdbiCredentialStore;
import dev.estuary.server.store.JdbiEnrollmentStore;
import dev.estuary.server.store.JdbiRegistrationStore;
import dev.estuary.server.store.JdbiRevocationStore;
import dev.estuary.server.store.RegistrationStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.cert.CertificateEncodingException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.eclipse.jetty.server.Handler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Estuary server process: opens the key source and the database, builds the labels, and serves
 * EST and the DPS-compatible provisioning API on the device port and the admin API and the web
 * console ({@code /console/}) on the admin port. Holds no state of its own beyond caches: any
 * replica pointing at the same database serves the same.
 */
public final class EstuaryServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EstuaryServer.class);

  /**
   * The longest an enrollment or registration waits for a store worker before it is answered busy:
   * well within the seed's clients' timeouts (the agent waits 30 s).
   */
  static final Duration STORE_WAIT = Duration.ofSeconds(10);

  private final Database database;
  private final JdbiCertificateStore certificates;
  private final CredentialStore credentials;
  private final EnrollmentStore enrollments;
  private final JdbiRegistrationStore registrations;
  private final BindingStore bindings;
  private final LiveLabels labels;
  private final CaReload caReload;
  private final HttpsServer https;
  private final SecretMinter minter;
  private final AuditLog audit;
  private final AuthFailureTally authFailures;
  private final ScheduledExecutorService auditFlush;
  private final CrlPublisher crls;
  private final RevocationService revocation;
  private final ServerMetrics metrics;
  private final ChangeFeed changes;
  private final StoreWorkers workers;

  private EstuaryServer(
      Database database,
      JdbiCertificateStore certificates,
      CredentialStore credentials,
      EnrollmentStore enrollments,
      JdbiRegistrationStore registrations,
      BindingStore bindings,
      LiveLabels labels,
      CaReload caReload,
      HttpsServer https,
      SecretMinter minter,
      AuditLog audit,
      AuthFailureTally authFailures,
      ScheduledExecutorService auditFlush,
      CrlPublisher crls,
      RevocationService revocation,
      ServerMetrics metrics,
      ChangeFeed changes,
      StoreWorkers workers) {
    this.workers = workers;
    this.metrics = metrics;
    this.changes = changes;
    this.audit = audit;
    this.authFailures = authFailures;
    this.auditFlush = auditFlush;
    this.crls = crls;
    this.revocation = revocation;
    this.database = database;
    this.certificates = certificates;
    this.credentials = credentials;
    this.enrollments = enrollments;
    this.registrations = registrations;
    this.bindings = bindings;
    this.labels = labels;
    this.caReload = caReload;
    this.https = https;
    this.minter = minter;
  }

  public static EstuaryServer start(ServerConfig config, Clock clock) throws Exception {
    SecureRandom random = new SecureRandom();
    CaKeys keys = CaKeys.open(config.keys());
    Database database =
        Database.open(
            config.database().url(),
            config.database().user(),
            config.database().password(),
            config.database().poolSize());
    CrlPublisher crls = null;
    // what other replicas change, so this one's caches follow within a second
    ChangeFeed changes = ChangeFeed.start(database);
    StoreWorkers workers = StoreWorkers.forPool(config.database().poolSize(), STORE_WAIT);
    AuditLog audit = new AuditLog(database.jdbi(), clock);
    JdbiCertificateStore certificates = new JdbiCertificateStore(database.jdbi(), audit);
    JdbiRegistrationStore registrations = new JdbiRegistrationStore(database.jdbi(), audit);
    ScheduledExecutorService auditFlush =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "estuary-audit-flush");
              t.setDaemon(true);
              return t;
            });
    try {
      CredentialStore credentials =
          new CachingCredentialStore(new JdbiCredentialStore(database.jdbi(), audit))
              .following(changes);
      JdbiRevocationStore revocations = new JdbiRevocationStore(database.jdbi());
      // What the keys decide (labels, published CAs, the TLS certificate): built now, and again
      // without a restart when a CA rollover changes the keystore (CaReload).
      CaReload.Builder fromKeys =
          (k, now) ->
              new CaReload.Built(
                  Labels.build(
                      config, k, certificates, credentials, clock, revocations::principalDisabled),
                  Labels.published(config, k, now),
                  k.tlsKeys(config.tlsAlias(), SecretMinter.token(random, 24).toCharArray()));
      CaReload.Built built = fromKeys.build(keys, clock.instant());
      LiveLabels live = new LiveLabels(built.labels());
      Map<String, Label> labels = live.now();
      audit.append(startupEvent(config, labels, audit));
      AuthFailureTally authFailures = new AuthFailureTally(audit);
      auditFlush.scheduleAtFixedRate(authFailures::flush, 1, 1, TimeUnit.MINUTES);
      crls =
          new CrlPublisher(built.published(), revocations, clock, config.revocation().crlValidity())
              .startChecking()
              .following(changes);
      Function<Map<String, PublishedCa>, Map<String, OcspResponder.Signer>> signers =
          config.revocation().ocspSigner().equals("delegated")
              ? cas -> DelegatedResponders.make(cas, certificates, random, clock)
              : OcspService::caSigners;
      OcspService ocsp =
          new OcspService(
              crls,
              signers.apply(crls.cas()),
              certificates,
              clock,
              config.revocation().ocspValidity());
      RevocationService revocation = new RevocationService(revocations, crls, clock);
      ServerMetrics metrics = new ServerMetrics();
      database.bindMetrics(metrics.registry());
      metrics.watchStoreWorkers(workers);
      JdbiBindingStore bindings = new JdbiBindingStore(database.jdbi(), audit);
      IssuanceService issuance =
          new IssuanceService(
              certificates,
              bindings,
              new Serials(random, clock),
              clock,
              metrics.registry(),
              audit,
              keys.signatures());
      SecretMinter minter = new SecretMinter(credentials, random, clock);
      // One set of failed-authentication limits for both device protocols.
      AuthLimits authLimits =
          new AuthLimits(
              new FailedAuthLimiter(clock, config.authFailuresPerMinute(), Duration.ofMinutes(1)));
      EstHandler est =
          new EstHandler(
              live,
              config.defaultLabel(),
              issuance,
              config.maxBodyBytes(),
              authLimits,
              metrics.registry(),
              authFailures,
              workers);
      EnrollmentStore enrollments =
          new CachingEnrollmentStore(new JdbiEnrollmentStore(database.jdbi(), audit))
              .following(changes);
      Registrar registrar =
          new Registrar(
                  config.idScope(), enrollments, registrations, certificates, issuance, live, clock)
              .refusingDisabled(id -> revocations.findDisabled(id).isPresent());
      ProvisioningHandler provisioning =
          new ProvisioningHandler(
              registrar, config.maxBodyBytes(), clock, metrics.registry(), workers, authLimits);
      TokenService tokens =
          new TokenService(
              new JdbiAdminTokenStore(database.jdbi()),
              config.adminTokenHash(),
              new FailedAuthLimiter(clock, 10, Duration.ofMinutes(1)),
              random,
              clock);
      CertificateService certificateService =
          new CertificateService(
              certificates,
              new CertificateSearch(database.jdbi()),
              new FleetStatistics(database.jdbi()));
      CredentialService credentialService = new CredentialService(credentials, minter, bindings);
      EnrollmentService enrollmentService = new EnrollmentService(enrollments, registrations);
      CaCertificateService caCertificateService =
          new CaCertificateService(enrollments, random, clock);
      ConsoleUserService consoleUsers =
          new ConsoleUserService(
              new JdbiConsoleUserStore(database.jdbi()),
              audit,
              authFailures,
              new FailedAuthLimiter(
                  clock, config.console().failedLoginsPerMinute(), Duration.ofMinutes(1)),
              random,
              clock);
      AdminHandler admin =
          new AdminHandler(
              tokens,
              certificateService,
              new RevocationAdmin(revocation, certificates, registrations),
              credentialService,
              enrollmentService,
              caCertificateService,
              labels.keySet(),
              clock,
              metrics::scrape,
              new AuditAdmin(audit, authFailures),
              consoleUsers);
      ConsoleHandler console =
          new ConsoleHandler(
              new ConsolePages(
                  certificateService,
                  revocation,
                  credentialService,
                  enrollmentService,
                  caCertificateService,
                  consoleUsers,
                  audit,
                  live,
                  crls,
                  config.revocation(),
                  config.console().statisticsMaxAge()),
              tokens,
              consoleUsers,
              config.console().idleTimeout(),
              random,
              clock);
      // Idle console sessions end (and their logout is audited) within a minute of expiring.
      auditFlush.scheduleAtFixedRate(console::sweep, 1, 1, TimeUnit.MINUTES);
      Readiness readiness =
          new Readiness(
              database.dataSource(),
              () -> {
                Map<String, IssuingCa> labelCas = new TreeMap<>();
                live.now().forEach((name, label) -> labelCas.put(name, label.ca()));
                return labelCas;
              },
              clock);
      HttpsServer https =
          new HttpsServer(
              built.tls(),
              JsseProviders.resolve(config.tlsProvider(), config.keys().onToken()),
              host(config.est()),
              config.est().port(),
              new RequestTimer(
                  metrics,
                  HttpsServer.DEVICE,
                  Endpoints::device,
                  // EST under /.well-known/est, CRLs, CA certificates and OCSP under /pki/,
                  // provisioning at the root
                  new Handler.Sequence(
                      est, new RevocationHandler(crls, ocsp, clock), provisioning)),
              host(config.admin()),
              config.admin().port(),
              new RequestTimer(
                  metrics,
                  HttpsServer.ADMIN,
                  Endpoints::admin,
                  new Handler.Sequence(new HealthHandler(readiness), admin, console)),
              new SlowClientGuard.Limits(
                  config.connections().headerTimeout(),
                  config.connections().requestTimeout(),
                  config.connections().maxPerAddress()));
      https.start();
      metrics.watchConnections(HttpsServer.DEVICE, () -> https.openConnections(HttpsServer.DEVICE));
      metrics.watchConnections(HttpsServer.ADMIN, () -> https.openConnections(HttpsServer.ADMIN));
      metrics.watchCertificates(
          new CertificateCensus(database.jdbi()), clock, ServerMetrics.CENSUS_INTERVAL);
      CaReload caReload =
          new CaReload(
                  config.keys(), built, fromKeys, live, crls, ocsp, signers, https, audit, clock)
              .start();
      EstuaryServer server =
          new EstuaryServer(
              database,
              certificates,
              credentials,
              enrollments,
              registrations,
              bindings,
              live,
              caReload,
              https,
              minter,
              audit,
              authFailures,
              auditFlush,
              crls,
              revocation,
              metrics,
              changes,
              workers);
      LOG.info(
          "Estuary serving EST on {}:{} (labels: {}; default: {}), provisioning for ID scope {}, and the admin API on {}:{}; database {}; TLS on {} ([tls] provider = \"{}\"); signatures on {} ([keys] signatures = \"{}\")",
          config.est().host(),
          https.devicePort(),
          String.join(", ", config.labelNames()),
          config.defaultLabel() == null ? "none" : config.defaultLabel(),
          config.idScope() == null ? "none" : config.idScope(),
          config.admin().host(),
          https.adminPort(),
          config.database().url(),
          https.tlsProviderName(),
          config.tlsProvider(),
          keys.signatures().name(),
          config.keys().signatures());
      return server;
    } catch (Exception | Error e) {
      auditFlush.shutdownNow();
      workers.close();
      changes.close();
      if (crls != null) {
        crls.close();
      }
      registrations.close();
      certificates.close();
      database.close();
      throw e;
    }
  }

  /**
   * The configuration as the audit log keeps it at each start: the settings that decide who gets
   * which certificate, and a digest over them (an auditor compares digests between starts). No
   * secret: the database password is left out, passwords in its URL are masked, and the admin token
   * appears only as a fingerprint of its stored hash.
   */
  static AuditEvent startupEvent(ServerConfig config, Map<String, Label> labels, AuditLog audit) {
    TreeMap<String, String> d = new TreeMap<>();
    d.put("est", config.est().toString());
    d.put("admin", config.admin().toString());
    d.put("database", maskedUrl(config.database().url()));
    d.put("keys", config.keys().type());
    d.put("defaultLabel", String.valueOf(config.defaultLabel()));
    d.put("idScope", String.valueOf(config.idScope()));
    d.put("maxBodyBytes", Integer.toString(config.maxBodyBytes()));
    d.put("authFailuresPerMinute", Integer.toString(config.authFailuresPerMinute()));
    d.put("tlsProvider", String.valueOf(config.tlsProvider()));
    d.put("connections", String.valueOf(config.connections()));
    d.put(
        "adminToken",
        config.adminTokenHash() == null
            ? "none"
            : "hash fingerprint " + sha256(config.adminTokenHash()).substring(0, 16));
    config
        .labels()
        .forEach(
            (name, lc) -> {
              String ca;
              try {
                Label label = labels.get(name);
                ca =
                    label == null
                        ? "?"
                        : sha256Hex(label.ca().certificate().getEncoded())
                            + " "
                            + label.ca().certificate().getSubjectX500Principal().getName();
              } catch (CertificateEncodingException e) {
                ca = "?";
              }
              d.put("label." + name, lc.toString() + " ca=" + ca);
            });
    d.put("digest", sha256(d.toString()));
    return AuditEvent.of(audit.now(), AuditEvent.SERVER_STARTED, Actors.SYSTEM, d);
  }

  /** A JDBC URL with any password in it masked. */
  static String maskedUrl(String url) {
    return url.replaceAll("(?i)((?:password|passwd|pwd)=)[^&;]*", "$1***")
        .replaceAll("//[^/@]*@", "//***@");
  }

  private static String sha256(String s) {
    return sha256Hex(s.getBytes(StandardCharsets.UTF_8));
  }

  private static String sha256Hex(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String host(ServerConfig.Listen listen) {
    return listen.host().equals("*") ? null : listen.host();
  }

  public int estPort() {
    return https.devicePort();
  }

  /** The JSSE provider serving TLS ("SunJSSE" or "Conscrypt"). */
  public String tlsProviderName() {
    return https.tlsProviderName();
  }

  public int adminPort() {
    return https.adminPort();
  }

  public CertificateStore certificates() {
    return certificates;
  }

  public CredentialStore credentials() {
    return credentials;
  }

  /** The provisioning service's CA certificates, enrollments and hubs. */
  public EnrollmentStore enrollments() {
    return enrollments;
  }

  /** The provisioning service's registration records and operations. */
  public RegistrationStore registrations() {
    return registrations;
  }

  /** The name bindings of the labels. */
  public BindingStore bindings() {
    return bindings;
  }

  /** Revoke certificates, disable and enable devices. */
  public RevocationService revocation() {
    return revocation;
  }

  /** What other replicas sharing the database change (and this one). */
  public ChangeFeed changes() {
    return changes;
  }

  /** The issuing CAs' CRLs. */
  public CrlPublisher crls() {
    return crls;
  }

  public SecretMinter minter() {
    return minter;
  }

  public Map<String, Label> labels() {
    return labels.now();
  }

  /** The audit log of this server's database. */
  public AuditLog audit() {
    return audit;
  }

  /** Failed authentications counted for the audit log; flushed every minute and on close. */
  public AuthFailureTally authFailures() {
    return authFailures;
  }

  /** The server's meters (what {@code /metrics} shows). */
  public ServerMetrics metrics() {
    return metrics;
  }

  public void join() throws InterruptedException {
    https.join();
  }

  @Override
  public void close() throws IOException {
    try {
      caReload.close();
      crls.close();
      https.close();
    } finally {
      workers.close();
      changes.close();
      try {
        auditFlush.shutdownNow();
        authFailures.flush();
        metrics.close();
        registrations.close();
        certificates.close();
      } finally {
        database.close();
      }
    }
  }
}
