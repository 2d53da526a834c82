package dev.estuary.sim;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
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

  /** A step among the slowest: which device, when it began (simulated), how long, what it did. */
  record SlowStep(String device, long atSimulatedSeconds, long realMillis, String did) {}

  /** How many of the slowest steps the report shows. */
  static final int SLOWEST = 10;

  private static final Comparator<SlowStep> QUICKER_FIRST =
      Comparator.comparingLong(SlowStep::realMillis);

  /** The slowest steps so far, the quickest of them at the head. */
  private final PriorityQueue<SlowStep> slowest = new PriorityQueue<>(QUICKER_FIRST);

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

  /**
   * Books one device step: its real duration, and the step itself when it is among the {@link
   * #SLOWEST} slowest so far.
   */
  void stepTook(String device, Instant began, Duration real, SimDevice.Stepped stepped) {
    stepMillis.add(real.toMillis());
    synchronized (slowest) {
      if (slowest.size() < SLOWEST || real.toMillis() > slowest.peek().realMillis()) {
        slowest.add(
            new SlowStep(
                device, simulatedSince(began).toSeconds(), real.toMillis(), stepped.summary()));
        if (slowest.size() > SLOWEST) {
          slowest.poll();
        }
      }
    }
  }

  /**
   * The closest call of the run: the certificate replaced with the least time left before it
   * expired (simulated seconds; negative: replaced after it expired), from when the agent wrote the
   * new certificate's file (its modification time).
   */
  record ClosestCall(String device, String credential, double simulatedSecondsLeft) {}

  private ClosestCall closest;

  /** Books a certificate, valid until {@code notAfter}, that {@code device} replaced {@code at}. */
  synchronized void replaced(String device, String credential, Instant notAfter, Instant at) {
    double left = speed.simulated(Duration.between(at, notAfter)).toMillis() / 1000.0;
    if (closest == null || left < closest.simulatedSecondsLeft()) {
      closest = new ClosestCall(device, credential, left);
    }
  }

  /** The closest call so far; null when no certificate was replaced. */
  synchronized ClosestCall closestCall() {
    return closest;
  }

  /** The slowest steps, slowest first. */
  List<SlowStep> slowestSteps() {
    synchronized (slowest) {
      return slowest.stream().sorted(QUICKER_FIRST.reversed()).toList();
    }
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
