package dev.estuary.server;

import dev.estuary.pki.Serials;
import dev.estuary.server.admin.AdminHandler;
import dev.estuary.server.admin.RevocationAdmin;
import dev.estuary.server.auth.FailedAuthLimiter;
import dev.estuary.server.auth.SecretMinter;
import dev.estuary.server.ca.CaKeys;
import dev.estuary.server.config.ServerConfig;
import dev.estuary.server.est.EstHandler;
import dev.estuary.server.http.HttpsServer;
import dev.estuary.server.issuance.IssuanceService;
import dev.estuary.server.metrics.ServerMetrics;
import dev.estuary.server.policy.Label;
import dev.estuary.server.provisioning.ProvisioningHandler;
import dev.estuary.server.provisioning.Registrar;
import dev.estuary.server.revocation.CrlPublisher;
import dev.estuary.server.revocation.DelegatedResponders;
import dev.estuary.server.revocation.OcspService;
import dev.estuary.server.revocation.PublishedCa;
import dev.estuary.server.revocation.RevocationHandler;
import dev.estuary.server.revocation.RevocationService;
import dev.estuary.server.store.BindingStore;
import dev.estuary.server.store.CertificateStore;
import dev.estuary.server.store.CredentialStore;
import dev.estuary.server.store.Database;
import dev.estuary.server.store.EnrollmentStore;
import dev.estuary.server.store.JdbiBindingStore;
import dev.estuary.server.store.JdbiCertificateStore;
import dev.estuary.server.store.JdbiCredentialStore;
import dev.estuary.server.store.JdbiEnrollmentStore;
import dev.estuary.server.store.JdbiRegistrationStore;
import dev.estuary.server.store.JdbiRevocationStore;
import dev.estuary.server.store.RegistrationStore;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
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
  private final CrlPublisher crls;
  private final RevocationService revocation;

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
      CrlPublisher crls,
      RevocationService revocation) {
    this.crls = crls;
    this.revocation = revocation;
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
    CrlPublisher crls = null;
    try {
      CredentialStore credentials = new JdbiCredentialStore(database.jdbi());
      JdbiRevocationStore revocations = new JdbiRevocationStore(database.jdbi());
      Map<String, Label> labels =
          Labels.build(
              config, keys, certificates, credentials, clock, revocations::principalDisabled);
      Map<String, PublishedCa> cas = new LinkedHashMap<>();
      for (Label l : labels.values()) {
        PublishedCa ca = PublishedCa.of(l.ca());
        cas.putIfAbsent(ca.id(), ca);
      }
      crls =
          new CrlPublisher(cas.values(), revocations, clock, config.revocation().crlValidity())
              .startChecking();
      OcspService ocsp =
          new OcspService(
              crls,
              config.revocation().ocspSigner().equals("delegated")
                  ? DelegatedResponders.make(cas, certificates, random, clock)
                  : OcspService.caSigners(cas),
              certificates,
              clock,
              config.revocation().ocspValidity());
      RevocationService revocation = new RevocationService(revocations, crls, clock);
      ServerMetrics metrics = new ServerMetrics();
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
                  config.idScope(),
                  enrollments,
                  registrations,
                  certificates,
                  issuance,
                  labels,
                  clock)
              .refusingDisabled(id -> revocations.findDisabled(id).isPresent());
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
                  credentials)
              .serving(new RevocationAdmin(revocation, certificates, registrations));
      CaKeys.TlsKeys tls =
          keys.tlsKeys(config.tlsAlias(), SecretMinter.token(random, 24).toCharArray());
      HttpsServer https =
          new HttpsServer(
              tls,
              config.tlsProvider(),
              host(config.est()),
              config.est().port(),
              // EST under /.well-known/est, CRLs, CA certificates and OCSP under /pki/,
              // provisioning at the root
              new Handler.Sequence(est, new RevocationHandler(crls, ocsp, clock), provisioning),
              host(config.admin()),
              config.admin().port(),
              admin,
              new dev.estuary.server.http.SlowClientGuard.Limits(
                  config.connections().headerTimeout(),
                  config.connections().requestTimeout(),
                  config.connections().maxPerAddress()));
      https.start();
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
              crls,
              revocation);
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
      if (crls != null) {
        crls.close();
      }
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

  /** Revoke certificates, disable and enable devices. */
  public RevocationService revocation() {
    return revocation;
  }

  /** The issuing CAs' CRLs. */
  public CrlPublisher crls() {
    return crls;
  }

  public SecretMinter minter() {
    return minter;
  }

  public Map<String, Label> labels() {
    return labels;
  }

  public void join() throws InterruptedException {
    https.join();
  }

  @Override
  public void close() throws java.io.IOException {
    try {
      crls.close();
      https.close();
    } finally {
      try {
        certificates.close();
      } finally {
        database.close();
      }
    }
  }
}
