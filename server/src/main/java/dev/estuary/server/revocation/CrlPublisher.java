package dev.estuary.server.revocation;

import dev.estuary.server.store.ChangeFeed;
import dev.estuary.server.store.RevocationStore;
import dev.estuary.server.store.StoreUnavailable;
import java.io.IOException;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each issuing CA's current CRL, signed once and served to every caller from memory (an anonymous
 * caller never makes the server sign). A CRL is made again:
 *
 * <ul>
 *   <li>at once after a revocation made through this server ({@link #refresh()}, called by {@link
 *       RevocationService});
 *   <li>as soon as the {@link ChangeFeed} reports a revocation made by another replica sharing the
 *       database ({@link #following}), and at the latest within {@link #CHECK_INTERVAL}: {@link
 *       #check()} compares {@link RevocationStore#watermark()} with the one the CRLs were made
 *       from;
 *   <li>when half of its validity has passed, so a CRL is always replaced well before its
 *       nextUpdate.
 * </ul>
 *
 * Everything comes from the database (revocations, CRL numbers), so replicas publish the same
 * entries; their CRL numbers come from one sequence per CA and so only grow.
 */
public final class CrlPublisher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CrlPublisher.class);

  /** How often a replica looks for revocations made elsewhere. */
  public static final Duration CHECK_INTERVAL = Duration.ofSeconds(5);

  /** A CRL as served. */
  public record Published(byte[] der, BigInteger number, Instant thisUpdate, Instant nextUpdate) {}

  private volatile Map<String, PublishedCa> cas;
  private final RevocationStore store;
  private final Clock clock;
  private final Duration validity;
  private final Map<String, Published> current = new ConcurrentHashMap<>();
  private volatile String watermark;
  private volatile long generation;
  private ScheduledExecutorService timer;

  /**
   * @param validity nextUpdate minus thisUpdate
   */
  public CrlPublisher(
      Collection<PublishedCa> cas, RevocationStore store, Clock clock, Duration validity) {
    this.cas = byId(cas);
    this.store = store;
    this.clock = clock;
    this.validity = validity;
  }

  /** Checks every {@link #CHECK_INTERVAL} in a daemon thread, until {@link #close()}. */
  public synchronized CrlPublisher startChecking() {
    if (timer == null) {
      timer =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "crl-publisher");
                t.setDaemon(true);
                return t;
              });
      long ms = CHECK_INTERVAL.toMillis();
      timer.scheduleWithFixedDelay(this::checkQuietly, ms, ms, TimeUnit.MILLISECONDS);
    }
    return this;
  }

  /**
   * Checks at once (on this publisher's thread, started by {@link #startChecking()}) whenever
   * {@code feed} reports a revocation, here or on another replica.
   */
  public CrlPublisher following(ChangeFeed feed) {
    feed.subscribe(ChangeFeed.Topic.REVOCATION, this::checkSoon);
    return this;
  }

  private synchronized void checkSoon() {
    if (timer != null) {
      timer.execute(this::checkQuietly);
    }
  }

  private static Map<String, PublishedCa> byId(Collection<PublishedCa> cas) {
    Map<String, PublishedCa> byId = new LinkedHashMap<>();
    for (PublishedCa ca : cas) {
      byId.putIfAbsent(ca.id(), ca);
    }
    return Collections.unmodifiableMap(byId);
  }

  /** The CAs whose CRLs are published now, by id. */
  public Map<String, PublishedCa> cas() {
    return cas;
  }

  /**
   * Publishes for {@code next} from now on (a CA rollover, taken up without a restart): a CA new
   * among them gets its CRL at its first request or check; one no longer among them (expired,
   * retired) is no longer served.
   */
  public synchronized void replaceCas(Collection<PublishedCa> next) {
    Map<String, PublishedCa> m = byId(next);
    cas = m;
    current.keySet().retainAll(m.keySet());
  }

  /**
   * Counts the CRL rebuilds after revocations: an OCSP answer cached under one generation is not
   * served under the next.
   */
  public long generation() {
    return generation;
  }

  /** The CA's current CRL (made now if there is none yet), or empty for an unknown CA id. */
  public Optional<Published> crl(String caId) throws IOException {
    PublishedCa ca = cas.get(caId);
    if (ca == null) {
      return Optional.empty();
    }
    Published p = current.get(caId);
    if (p == null || due(p)) {
      synchronized (this) {
        p = current.get(caId);
        if (p == null || due(p)) {
          if (watermark == null) {
            watermark = store.watermark();
          }
          p = make(ca);
        }
      }
    }
    return Optional.of(p);
  }

  /** Makes every CA's CRL again from the database: after a revocation. */
  public synchronized void refresh() throws IOException {
    watermark = store.watermark();
    generation++;
    for (PublishedCa ca : cas.values()) {
      make(ca);
    }
  }

  /** A revocation elsewhere, or a CRL past half its validity: makes what is needed. */
  public synchronized void check() throws IOException {
    String now = store.watermark();
    if (!now.equals(watermark)) {
      refresh();
      return;
    }
    for (PublishedCa ca : cas.values()) {
      Published p = current.get(ca.id());
      if (p != null && due(p)) {
        make(ca);
      }
    }
  }

  private void checkQuietly() {
    try {
      check();
    } catch (Exception e) {
      if (StoreUnavailable.isCause(e)) { // expected while the database is away: no stack trace
        LOG.warn(
            "CRL check failed: the database cannot be reached ({}); the current CRLs stay served,"
                + " retried in {}",
            StoreUnavailable.describe(e),
            CHECK_INTERVAL);
      } else {
        LOG.warn(
            "CRL check failed (the current CRLs stay served; retried in {})", CHECK_INTERVAL, e);
      }
    }
  }

  private boolean due(Published p) {
    Duration half = Duration.between(p.thisUpdate(), p.nextUpdate()).dividedBy(2);
    return !clock.instant().isBefore(p.thisUpdate().plus(half));
  }

  private Published make(PublishedCa ca) throws IOException {
    Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    List<Crls.Entry> entries = new ArrayList<>();
    for (RevocationStore.Revoked r : store.revokedUnder(ca.subjectName(), now)) {
      if (ca.issued(r.issuer(), r.der())) {
        entries.add(
            new Crls.Entry(
                r.serial(),
                r.revokedAt(),
                RevocationReason.stored(r.reason()),
                r.invalidityDate()));
      }
    }
    BigInteger number = store.nextCrlNumber(ca.id());
    Instant next = now.plus(validity);
    Published p = new Published(Crls.build(ca, number, now, next, entries), number, now, next);
    current.put(ca.id(), p);
    LOG.debug("CRL {} of CA {}: {} entries", number, ca.id(), entries.size());
    return p;
  }

  @Override
  public synchronized void close() {
    if (timer != null) {
      timer.shutdownNow();
      timer = null;
    }
  }
}
