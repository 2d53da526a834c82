package dev.estuary.server.metrics;

import com.sun.management.OperatingSystemMXBean;
import dev.estuary.server.http.StoreWorkers;
import dev.estuary.server.store.CertificateCensus;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's meters, exposed in Prometheus text format on the admin port ({@code /metrics}): JVM
 * memory, threads and GC, {@code process_cpu_seconds_total} (what {@code estuary bench} divides by
 * operations), and Estuary's own: certificates by label and status and those about to expire
 * (counted by {@link CertificateCensus} on a schedule, never per scrape), request latency per
 * endpoint ({@link RequestTimer}: a fixed set of endpoint names, never a raw path), open TLS
 * connections per listener, and (bound by the database) the connection pool's HikariCP meters.
 * Issuances and refusals are counted where they happen (IssuanceService, EstHandler).
 */
public final class ServerMetrics implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ServerMetrics.class);

  /** How often the certificate census runs unless told otherwise. */
  public static final Duration CENSUS_INTERVAL = Duration.ofSeconds(30);

  /** The latency histogram's buckets (seconds), the same for every endpoint. */
  private static final Duration[] BUCKETS = {
    Duration.ofMillis(5),
    Duration.ofMillis(10),
    Duration.ofMillis(25),
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofMillis(2500),
    Duration.ofSeconds(5),
    Duration.ofSeconds(10)
  };

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final JvmGcMetrics gc = new JvmGcMetrics();
  private final Map<TimerKey, Timer> timers = new ConcurrentHashMap<>();
  private final MultiGauge byStatus;
  private final MultiGauge expiring;
  private final AtomicLong lastCensus = new AtomicLong();
  private ScheduledExecutorService scheduler;
  private CertificateCensus census;
  private Clock clock;

  public ServerMetrics() {
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    gc.bindTo(registry);
    if (ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os) {
      FunctionCounter.builder("process.cpu", os, o -> o.getProcessCpuTime() / 1e9)
          .baseUnit("seconds")
          .description("CPU time used by the server process")
          .register(registry);
    }
    byStatus =
        MultiGauge.builder("estuary.certificates")
            .description("Certificates issued by this server, by label and status")
            .register(registry);
    expiring =
        MultiGauge.builder("estuary.certificates.expiring")
            .description("Valid (not revoked) certificates whose notAfter is within the window")
            .register(registry);
  }

  public MeterRegistry registry() {
    return registry;
  }

  /**
   * Counts the certificates now and then every {@code every}, on a thread of its own; the gauges
   * show the last count ({@code estuary_certificates_census_timestamp_seconds} says when).
   */
  public synchronized void watchCertificates(
      CertificateCensus census, Clock clock, Duration every) {
    if (this.census != null) {
      throw new IllegalStateException("the certificate census already runs");
    }
    this.census = census;
    this.clock = clock;
    Gauge.builder("estuary.certificates.census.timestamp", lastCensus, a -> a.get() / 1000.0)
        .baseUnit("seconds")
        .description("When the certificate gauges were last counted (Unix time); 0 before")
        .register(registry);
    scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "estuary-certificate-census");
              t.setDaemon(true);
              return t;
            });
    scheduler.scheduleWithFixedDelay(
        this::countQuietly, 0, every.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Runs the census now (on the caller's thread): the gauges then show the database's state. */
  public synchronized void countCertificates() {
    if (census == null) {
      throw new IllegalStateException("no certificate census: call watchCertificates first");
    }
    var now = clock.instant();
    List<MultiGauge.Row<?>> status = new ArrayList<>();
    List<MultiGauge.Row<?>> soon = new ArrayList<>();
    for (CertificateCensus.LabelCounts c : census.count(now)) {
      status.add(MultiGauge.Row.of(Tags.of("label", c.label(), "status", "valid"), c.valid()));
      status.add(MultiGauge.Row.of(Tags.of("label", c.label(), "status", "revoked"), c.revoked()));
      status.add(MultiGauge.Row.of(Tags.of("label", c.label(), "status", "expired"), c.expired()));
      soon.add(
          MultiGauge.Row.of(Tags.of("label", c.label(), "within", "24h"), c.expiringWithinDay()));
      soon.add(
          MultiGauge.Row.of(Tags.of("label", c.label(), "within", "7d"), c.expiringWithinWeek()));
    }
    byStatus.register(status, true);
    expiring.register(soon, true);
    lastCensus.set(now.toEpochMilli());
  }

  private void countQuietly() {
    try {
      countCertificates();
    } catch (RuntimeException e) {
      // The database may be away: the gauges keep their last values, the timestamp ages.
      LOG.warn("certificate census failed: {}", e.getMessage());
    }
  }

  /** {@code estuary_tls_connections_open{listener}}: connections open on a listener now. */
  public void watchConnections(String listener, IntSupplier open) {
    Gauge.builder("estuary.tls.connections.open", open, IntSupplier::getAsInt)
        .tag("listener", listener)
        .description("TLS connections open on the listener")
        .strongReference(true)
        .register(registry);
  }

  /**
   * {@code estuary_store_requests_waiting}: enrollments and registrations waiting for a store
   * worker; {@code estuary_store_requests_busy_total}: those answered busy (503) because none took
   * them in time ({@link StoreWorkers}).
   */
  public void watchStoreWorkers(StoreWorkers workers) {
    Gauge.builder("estuary.store.requests.waiting", workers, StoreWorkers::waiting)
        .description("Enrollments and registrations waiting for a store worker")
        .strongReference(true)
        .register(registry);
    FunctionCounter.builder("estuary.store.requests.busy", workers, StoreWorkers::busyAnswers)
        .description("Enrollments and registrations answered busy (503): no store worker in time")
        .register(registry);
  }

  /**
   * The latency timer of one endpoint: {@code estuary_http_requests_seconds{listener, endpoint,
   * status}} with fixed histogram buckets; {@code status} is the class (2xx, 4xx, ...).
   */
  Timer requestTimer(String listener, String endpoint, String status) {
    return timers.computeIfAbsent(
        new TimerKey(listener, endpoint, status),
        k -> newRequestTimer(k.listener(), k.endpoint(), k.status()));
  }

  /**
   * Endpoints come from a fixed set ({@link Endpoints}) and statuses are classes, so the map stays
   * as small as the registry's own. Building the timer on every request (its builder, its buckets,
   * the registry's lookup) cost 0.8 % of a warm enrollment's server CPU (docs/benchmarks.md).
   */
  private record TimerKey(String listener, String endpoint, String status) {}

  private Timer newRequestTimer(String listener, String endpoint, String status) {
    return Timer.builder("estuary.http.requests")
        .description("Requests served, by listener, endpoint and status class")
        .tags("listener", listener, "endpoint", endpoint, "status", status)
        .serviceLevelObjectives(BUCKETS)
        .minimumExpectedValue(BUCKETS[0])
        .maximumExpectedValue(BUCKETS[BUCKETS.length - 1])
        .register(registry);
  }

  /** The Prometheus text exposition. */
  public String scrape() {
    return registry.scrape();
  }

  @Override
  public synchronized void close() {
    if (scheduler != null) {
      scheduler.shutdownNow();
    }
    gc.close();
    registry.close();
  }
}
