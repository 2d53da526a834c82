package dev.estuary.server;

import dev.estuary.pki.IssuingCa;
import dev.estuary.pki.Serials;
import dev.estuary.server.admin.AdminHandler;
import dev.estuary.server.auth.FailedAuthLimiter;
import dev.estuary.server.auth.SecretMinter;
import dev.estuary.server.ca.CaKeys;
import dev.estuary.server.config.ServerConfig;
import dev.estuary.server.est.EstHandler;
import dev.estuary.server.http.HttpsServer;
import dev.estuary.server.issuance.IssuanceService;
import dev.estuary.server.metrics.Endpoints;
import dev.estuary.server.metrics.HealthHandler;
import dev.estuary.server.metrics.Readiness;
import dev.estuary.server.metrics.RequestTimer;
import dev.estuary.server.metrics.ServerMetrics;
import dev.estuary.server.policy.Label;
import dev.estuary.server.provisioning.ProvisioningHandler;
import dev.estuary.server.provisioning.Registrar;
import dev.estuary.server.store.BindingStore;
import dev.estuary.server.store.CertificateCensus;
import dev.estuary.server.store.CertificateStore;
import dev.estuary.server.store.CredentialStore;
import dev.estuary.server.store.Database;
import dev.estuary.server.store.EnrollmentStore;
import dev.estuary.server.store.JdbiBindingStore;
import dev.estuary.server.store.JdbiCertificateStore;
import dev.estuary.server.store.JdbiCredentialStore;
import dev.estuary.server.store.JdbiEnrollmentStore;
import dev.estuary.server.store.JdbiRegistrationStore;
import dev.estuary.server.store.RegistrationStore;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.jetty.server.Handler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Estuary server process: opens the key source and the database, builds the labels, and serves
 * EST and the DPS-compatible provisioning API on the device port and the admin API on the admin
 * port. Holds no state of its own beyond caches: any replica pointing at the same database serves
 * the same.
 */
public final class EstuaryServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EstuaryServer.class);

  private final Database database;
  private final JdbiCertificateStore certificates;
  private final CredentialStore credentials;
  private final EnrollmentStore enrollments;
  private final RegistrationStore registrations;
  private final BindingStore bindings;
  private final Map<String, Label> labels;
  private final HttpsServer https;
  private final SecretMinter minter;
  private final ServerMetrics metrics;

  private EstuaryServer(
      Database database,
      JdbiCertificateStore certificates,
      CredentialStore credentials,
      EnrollmentStore enrollments,
      RegistrationStore registrations,
      BindingStore bindings,
      Map<String, Label> labels,
      HttpsServer https,
      SecretMinter minter,
      ServerMetrics metrics) {
    this.metrics = metrics;
    this.database = database;
    this.certificates = certificates;
    this.credentials = credentials;
    this.enrollments = enrollments;
    this.registrations = registrations;
    this.bindings = bindings;
    this.labels = labels;
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
    JdbiCertificateStore certificates = new JdbiCertificateStore(database.jdbi());
    try {
      CredentialStore credentials = new JdbiCredentialStore(database.jdbi());
      Map<String, Label> labels = Labels.build(config, keys, certificates, credentials, clock);
      ServerMetrics metrics = new ServerMetrics();
      database.bindMetrics(metrics.registry());
      JdbiBindingStore bindings = new JdbiBindingStore(database.jdbi());
      IssuanceService issuance =
          new IssuanceService(
              certificates, bindings, new Serials(random, clock), clock, metrics.registry());
      SecretMinter minter = new SecretMinter(credentials, random, clock);
      EstHandler est =
          new EstHandler(
              labels,
              config.defaultLabel(),
              issuance,
              config.maxBodyBytes(),
              new FailedAuthLimiter(
                  clock, config.authFailuresPerMinute(), java.time.Duration.ofMinutes(1)),
              metrics.registry());
      EnrollmentStore enrollments = new JdbiEnrollmentStore(database.jdbi());
      RegistrationStore registrations = new JdbiRegistrationStore(database.jdbi());
      Registrar registrar =
          new Registrar(
              config.idScope(), enrollments, registrations, certificates, issuance, labels, clock);
      ProvisioningHandler provisioning =
          new ProvisioningHandler(registrar, config.maxBodyBytes(), clock);
      AdminHandler admin =
          new AdminHandler(
              config.adminTokenHash(),
              certificates,
              minter,
              labels.keySet(),
              clock,
              metrics::scrape,
              enrollments,
              registrations,
              bindings,
              random,
              credentials);
      Map<String, IssuingCa> cas = new TreeMap<>();
      labels.forEach((name, label) -> cas.put(name, label.ca()));
      Readiness readiness = new Readiness(database.dataSource(), cas, clock);
      CaKeys.TlsKeys tls =
          keys.tlsKeys(config.tlsAlias(), SecretMinter.token(random, 24).toCharArray());
      HttpsServer https =
          new HttpsServer(
              tls,
              config.tlsProvider(),
              host(config.est()),
              config.est().port(),
              new RequestTimer(
                  metrics,
                  HttpsServer.DEVICE,
                  Endpoints::device,
                  new Handler.Sequence(
                      est, provisioning)), // EST under /.well-known/est, provisioning at the root
              host(config.admin()),
              config.admin().port(),
              new RequestTimer(
                  metrics,
                  HttpsServer.ADMIN,
                  Endpoints::admin,
                  new Handler.Sequence(new HealthHandler(readiness), admin)),
              new dev.estuary.server.http.SlowClientGuard.Limits(
                  config.connections().headerTimeout(),
                  config.connections().requestTimeout(),
                  config.connections().maxPerAddress()));
      https.start();
      metrics.watchConnections(HttpsServer.DEVICE, () -> https.openConnections(HttpsServer.DEVICE));
      metrics.watchConnections(HttpsServer.ADMIN, () -> https.openConnections(HttpsServer.ADMIN));
      metrics.watchCertificates(
          new CertificateCensus(database.jdbi()), clock, ServerMetrics.CENSUS_INTERVAL);
      EstuaryServer server =
          new EstuaryServer(
              database,
              certificates,
              credentials,
              enrollments,
              registrations,
              bindings,
              labels,
              https,
              minter,
              metrics);
      LOG.info(
          "Estuary serving EST on {}:{} (labels: {}; default: {}), provisioning for ID scope {}, and the admin API on {}:{}; database {}",
          config.est().host(),
          https.devicePort(),
          String.join(", ", config.labelNames()),
          config.defaultLabel() == null ? "none" : config.defaultLabel(),
          config.idScope() == null ? "none" : config.idScope(),
          config.admin().host(),
          https.adminPort(),
          config.database().url());
      return server;
    } catch (Exception | Error e) {
      certificates.close();
      database.close();
      throw e;
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

  public SecretMinter minter() {
    return minter;
  }

  public Map<String, Label> labels() {
    return labels;
  }

  /** The server's meters (what {@code /metrics} shows). */
  public ServerMetrics metrics() {
    return metrics;
  }

  public void join() throws InterruptedException {
    https.join();
  }

  @Override
  public void close() throws java.io.IOException {
    try {
      https.close();
    } finally {
      try {
        metrics.close();
        certificates.close();
      } finally {
        database.close();
      }
    }
  }
}
