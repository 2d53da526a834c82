package dev.estuary.server;

import dev.estuary.pki.Thumbprints;
import dev.estuary.server.audit.Actors;
import dev.estuary.server.audit.AuditEvent;
import dev.estuary.server.audit.AuditLog;
import dev.estuary.server.ca.CaKeys;
import dev.estuary.server.config.ServerConfig;
import dev.estuary.server.http.HttpsServer;
import dev.estuary.server.policy.Label;
import dev.estuary.server.policy.LiveLabels;
import dev.estuary.server.revocation.CrlPublisher;
import dev.estuary.server.revocation.OcspResponder;
import dev.estuary.server.revocation.OcspService;
import dev.estuary.server.revocation.PublishedCa;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.KeyStoreException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes up a CA rollover without a restart. {@code estuary server ca roll|roll-root|switch-root|
 * retire|retire-root} replace the keystore file atomically; every second this looks at the file
 * (its identity, size and modification time: a stat, nothing read) and, when it changed, opens the
 * keys again, builds the labels from them as a start does, and puts in force what differs: the
 * labels (issuing generation, earlier ones still valid, root key update certificates, trust), the
 * CAs whose CRLs and OCSP answers are published, and the TLS certificate. Replicas that share the
 * keystore (one file, or one copied to each) take a roll up within about a second of each other.
 * Every ten minutes the labels are built again anyway: which generation issues, and which are still
 * valid, also change with time. A PKCS#11 token is not watched (rollover commands work on
 * keystores; a token's new key takes a restart).
 *
 * <p>A keystore that cannot be read or builds no valid labels (a half-made change, a wrong
 * passphrase) leaves everything in force as it was and is logged; the next change is tried again.
 * Each change put in force is audited ({@code ca-keys.reloaded}) with every label's issuing CA.
 */
final class CaReload implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CaReload.class);

  /** How often the keystore file is looked at. */
  static final Duration INTERVAL = Duration.ofSeconds(1);

  /** How often the labels are built again even if the file did not change. */
  static final Duration REBUILD = Duration.ofMinutes(10);

  /** What a start or a reload builds from the keys. */
  record Built(Map<String, Label> labels, List<PublishedCa> published, CaKeys.TlsKeys tls) {}

  /** Builds {@link Built} from freshly opened keys at an instant. */
  @FunctionalInterface
  interface Builder {
    Built build(CaKeys keys, Instant now) throws Exception;
  }

  private final ServerConfig.KeySource keySource;
  private final Builder builder;
  private final LiveLabels labels;
  private final CrlPublisher crls;
  private final OcspService ocsp;
  private final Function<Map<String, PublishedCa>, Map<String, OcspResponder.Signer>> signers;
  private final HttpsServer https;
  private final AuditLog audit;
  private final Clock clock;
  private final ScheduledExecutorService timer;
  private Object stamp;
  private String inForce;
  private List<X509Certificate> tlsChain;
  private Instant builtAt;

  CaReload(
      ServerConfig.KeySource keySource,
      Built initial,
      Builder builder,
      LiveLabels labels,
      CrlPublisher crls,
      OcspService ocsp,
      Function<Map<String, PublishedCa>, Map<String, OcspResponder.Signer>> signers,
      HttpsServer https,
      AuditLog audit,
      Clock clock) {
    this.keySource = keySource;
    this.builder = builder;
    this.labels = labels;
    this.crls = crls;
    this.ocsp = ocsp;
    this.signers = signers;
    this.https = https;
    this.audit = audit;
    this.clock = clock;
    this.stamp = stamp(keystore());
    this.inForce = signature(initial);
    this.tlsChain = tlsChain(initial);
    this.builtAt = clock.instant();
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "estuary-ca-reload");
              t.setDaemon(true);
              return t;
            });
  }

  /** Looks every {@link #INTERVAL} from now on, until {@link #close()}. */
  CaReload start() {
    long ms = INTERVAL.toMillis();
    timer.scheduleWithFixedDelay(this::checkQuietly, ms, ms, TimeUnit.MILLISECONDS);
    return this;
  }

  private Path keystore() {
    return keySource.onToken() ? null : keySource.keystore();
  }

  private void checkQuietly() {
    try {
      check();
    } catch (Exception e) {
      LOG.warn(
          "the CA keys changed but could not be taken up; what was in force stays in force until"
              + " the next change: {}",
          e.toString());
    }
  }

  /**
   * Builds again when the keystore file changed or {@link #REBUILD} has passed (a keystore only,
   * never a PKCS#11 token), and puts in force what differs from what is.
   *
   * @return true when something new was put in force
   */
  synchronized boolean check() throws Exception {
    Path file = keystore();
    if (file == null) {
      return false; // a PKCS#11 token: not watched (opening it again would add a provider each
      // time)
    }
    Object now = stamp(file);
    Instant at = clock.instant();
    boolean changed = !Objects.equals(now, stamp);
    if (!changed && at.isBefore(builtAt.plus(REBUILD))) {
      return false;
    }
    Built built = builder.build(CaKeys.open(keySource), at);
    // Only now: a keystore that failed to build is tried again at its next change.
    stamp = now;
    builtAt = at;
    String signature = signature(built);
    if (signature.equals(inForce)) {
      return false;
    }
    labels.replace(built.labels());
    crls.replaceCas(built.published());
    ocsp.replaceSigners(signers.apply(crls.cas()));
    List<X509Certificate> chain = tlsChain(built);
    if (!chain.equals(tlsChain)) {
      https.reloadTls(built.tls());
      tlsChain = chain;
    }
    inForce = signature;
    Map<String, String> details = describe(built);
    audit.append(AuditEvent.of(audit.now(), AuditEvent.CA_KEYS_RELOADED, Actors.SYSTEM, details));
    LOG.info("CA keys changed, taken up without a restart: {}", details);
    return true;
  }

  /** The file's identity, size and modification time; null for no file (PKCS#11) or none yet. */
  private static Object stamp(Path file) {
    if (file == null) {
      return null;
    }
    try {
      BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
      return List.of(String.valueOf(a.fileKey()), a.size(), a.lastModifiedTime().toMillis());
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      return e.toString();
    }
  }

  private static List<X509Certificate> tlsChain(Built b) {
    try {
      var chain = b.tls().keyStore().getCertificateChain(b.tls().alias());
      return chain == null
          ? List.of()
          : Arrays.stream(chain).map(c -> (X509Certificate) c).toList();
    } catch (KeyStoreException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Every certificate that decides what the server issues, trusts, publishes and presents. */
  private static String signature(Built b) {
    StringBuilder s = new StringBuilder();
    b.labels()
        .forEach(
            (name, l) -> {
              s.append(name).append(':').append(Thumbprints.sha256(l.ca().certificate()));
              for (List<X509Certificate> list :
                  List.of(l.previousCas(), l.retiredCas(), l.rootUpdate())) {
                s.append('|');
                list.forEach(c -> s.append(Thumbprints.sha256(c)).append(','));
              }
              s.append(';');
            });
    b.published().forEach(p -> s.append(p.id()).append(','));
    tlsChain(b).forEach(c -> s.append(Thumbprints.sha256(c)).append(','));
    return s.toString();
  }

  private static Map<String, String> describe(Built b) {
    Map<String, String> d = new TreeMap<>();
    b.labels()
        .forEach(
            (name, l) ->
                d.put(
                    "label." + name,
                    l.ca().certificate().getSubjectX500Principal().getName()
                        + " ("
                        + Thumbprints.sha256(l.ca().certificate())
                        + "); earlier generations valid: "
                        + l.previousCas().size()
                        + "; root key update certificates: "
                        + l.rootUpdate().size()));
    List<X509Certificate> tls = tlsChain(b);
    if (!tls.isEmpty()) {
      d.put(
          "tls",
          tls.getFirst().getIssuerX500Principal().getName()
              + " ("
              + Thumbprints.sha256(tls.getFirst())
              + ")");
    }
    d.put("published", String.valueOf(b.published().size()));
    return d;
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
