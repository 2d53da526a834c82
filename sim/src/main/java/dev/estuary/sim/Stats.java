package dev.estuary.sim;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The fleet's counters and time series, shared by every device's steps and the sampler. */
final class Stats {
  private static final Pattern HTTP_STATUS = Pattern.compile("\\b([45]\\d\\d)\\b");

  /** A certificate a device received: what the database must hold. */
  record Received(
      String sha256, String serialHex, String issuer, String device, String credential) {}

  /** One sample of the whole fleet. */
  record Sample(Duration simulatedSinceStart, int devicesWithoutValid, int enrolled) {}

  final LongAdder attempted = new LongAdder();
  final LongAdder renewed = new LongAdder();
  final LongAdder failed = new LongAdder();
  final LongAdder registrations = new LongAdder();
  final LongAdder stepErrors = new LongAdder();
  final Map<String, LongAdder> errorsByKind = new ConcurrentHashMap<>();
  final Map<String, Received> received = new ConcurrentHashMap<>();

  /** Renewals (successful) per simulated minute since the start. */
  final Map<Long, LongAdder> renewalsPerMinute = new ConcurrentSkipListMap<>();

  final List<Sample> samples = new CopyOnWriteArrayList<>();

  /** How long each device step took in real time, in milliseconds (one entry per step). */
  private final Queue<Long> stepMillis = new ConcurrentLinkedQueue<>();

  final AtomicLong maxWithoutValid = new AtomicLong();

  private final Instant start;
  private final Speed speed;

  Stats(Instant start, Speed speed) {
    this.start = start;
    this.speed = speed;
  }

  Duration simulatedSince(Instant real) {
    return speed.simulated(Duration.between(start, real));
  }

  void attempt(SimAgent.Attempt a, Instant now) {
    attempted.increment();
    if (a.renewed()) {
      renewed.increment();
      renewalsPerMinute
          .computeIfAbsent(simulatedSince(now).toMinutes(), k -> new LongAdder())
          .increment();
    } else {
      failed.increment();
      errorsByKind.computeIfAbsent(kindOf(a), k -> new LongAdder()).increment();
    }
  }

  /** The failure's kind, with the HTTP status where the reason names one (503, 401, …). */
  static String kindOf(SimAgent.Attempt a) {
    Matcher m = HTTP_STATUS.matcher(a.reason());
    return m.find() ? a.failureKind() + " " + m.group(1) : a.failureKind();
  }

  void receivedCertificate(X509Certificate leaf, String sha256, String device, String credential) {
    received.computeIfAbsent(
        sha256,
        k ->
            new Received(
                sha256,
                leaf.getSerialNumber().toString(16),
                leaf.getIssuerX500Principal().getName(),
                device,
                credential));
  }

  void sample(Instant now, int withoutValid, int enrolled) {
    samples.add(new Sample(simulatedSince(now), withoutValid, enrolled));
    maxWithoutValid.accumulateAndGet(withoutValid, Math::max);
  }

  void stepTook(Duration real) {
    stepMillis.add(real.toMillis());
  }

  /**
   * The steps' real durations in seconds: median, 90th and 99th percentile, the longest (a step is
   * a device's due renewals and registration, each a TLS connection or several, with the DPS polls'
   * waits).
   */
  Map<String, Double> stepSeconds() {
    long[] sorted = stepMillis.stream().mapToLong(Long::longValue).sorted().toArray();
    Map<String, Double> out = new LinkedHashMap<>();
    if (sorted.length == 0) {
      return out;
    }
    out.put("median", sorted[(sorted.length - 1) / 2] / 1000.0);
    out.put("p90", sorted[(int) Math.ceil(sorted.length * 0.9) - 1] / 1000.0);
    out.put("p99", sorted[(int) Math.ceil(sorted.length * 0.99) - 1] / 1000.0);
    out.put("max", sorted[sorted.length - 1] / 1000.0);
    return out;
  }

  Map<String, Long> errors() {
    Map<String, Long> out = new TreeMap<>();
    errorsByKind.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }
}
