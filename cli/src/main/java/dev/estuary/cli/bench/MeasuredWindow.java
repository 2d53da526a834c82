package dev.estuary.cli.bench;

import dev.estuary.cli.bench.BenchCommand.Outcome;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.DoubleSupplier;

/**
 * The bench's clock: each worker runs on its own virtual thread, requests one after another, and
 * only requests that start inside the measured window count. The window opens when the warm-up has
 * passed AND every worker has had its first answer (ok or not, at most {@code maxExtension} more):
 * a cold or starved server's first handshakes and password checks are warm-up, not a result, and a
 * window that opened while every client still waited for its first answer would count nothing. With
 * no warm-up the window opens at the start and every request counts.
 */
final class MeasuredWindow {
  /** One client, as the window sees it. */
  interface Worker {
    Outcome request(boolean measuring) throws Exception;

    /** A measured request's outcome and latency (its time less the outcome's untimed part). */
    void tally(Outcome outcome, long latencyNanos);

    void close();
  }

  /**
   * What the window measured.
   *
   * @param warmupNanos how long the warm-up lasted, the wait for first answers included
   * @param seconds the measured time: the window, or up to the last answer when a request cap ended
   *     it early
   * @param cpuSeconds what {@code cpu} read at the window's end less at its start
   */
  record Span(
      long warmupNanos,
      double seconds,
      long ok,
      long errors,
      Map<String, Long> errorKinds,
      double cpuSeconds) {}

  private MeasuredWindow() {}

  static Span run(
      List<? extends Worker> workers,
      Duration warm,
      Duration measured,
      Long maxRequests,
      Duration maxExtension,
      DoubleSupplier cpu)
      throws InterruptedException {
    long start = System.nanoTime();
    // "never" until it opens; at once without a warm-up
    AtomicLong measureFromRef = new AtomicLong(warm.isZero() ? start : Long.MAX_VALUE);
    AtomicLong untilRef =
        new AtomicLong(warm.isZero() ? start + measured.toNanos() : Long.MAX_VALUE);
    CountDownLatch firstAnswers = new CountDownLatch(workers.size());
    CountDownLatch done = new CountDownLatch(workers.size());
    LongAdder ok = new LongAdder();
    LongAdder errors = new LongAdder();
    AtomicLong budget = new AtomicLong(maxRequests == null ? Long.MAX_VALUE : maxRequests);
    Map<String, LongAdder> kinds = new ConcurrentHashMap<>();
    AtomicLong lastEnd = new AtomicLong(0);
    int n = 0;
    for (Worker w : workers) {
      Thread.ofVirtual()
          .name("bench-" + n++)
          .start(
              () -> {
                boolean first = true;
                try {
                  while (true) {
                    long t0 = System.nanoTime();
                    if (t0 >= untilRef.get()) {
                      break;
                    }
                    boolean measuring = t0 >= measureFromRef.get();
                    if (measuring && budget.decrementAndGet() < 0) {
                      break;
                    }
                    Outcome o;
                    try {
                      o = w.request(measuring);
                    } catch (Exception e) {
                      o = new Outcome(e.getClass().getSimpleName(), 0);
                    }
                    long t1 = System.nanoTime();
                    if (first) {
                      first = false;
                      firstAnswers.countDown();
                    }
                    if (measuring) {
                      lastEnd.accumulateAndGet(t1, Math::max);
                      if (o.error() == null) {
                        ok.increment();
                      } else {
                        errors.increment();
                        kinds.computeIfAbsent(o.error(), k -> new LongAdder()).increment();
                      }
                      w.tally(o, t1 - t0 - o.untimedNanos());
                    }
                  }
                } finally {
                  if (first) {
                    firstAnswers.countDown();
                  }
                  w.close();
                  done.countDown();
                }
              });
    }
    Thread.sleep(Math.max(0, (start + warm.toNanos() - System.nanoTime()) / 1_000_000));
    if (!warm.isZero() && !firstAnswers.await(maxExtension.toMillis(), TimeUnit.MILLISECONDS)) {
      System.err.printf(
          "estuary bench: %d client(s) still wait for their first answer %.1f s after the"
              + " warm-up; measuring anyway%n",
          firstAnswers.getCount(), maxExtension.toMillis() / 1e3);
    }
    long measureFrom = warm.isZero() ? start : System.nanoTime();
    long until = measureFrom + measured.toNanos();
    untilRef.set(until);
    measureFromRef.set(measureFrom);
    // CPU is read when measuring starts and when it ends, so warm-up (JIT, first password-hash
    // checks) is not charged to the measured operations.
    double cpuStart = cpu.getAsDouble();
    done.await(Math.max(0, until - System.nanoTime()), TimeUnit.NANOSECONDS); // end, or done early
    double cpuEnd = cpu.getAsDouble();
    done.await();
    // With a request cap the run may end early: measure to the last response, not the deadline.
    double seconds =
        maxRequests == null
            ? measured.toNanos() / 1e9
            : Math.max(
                1e-9, (Math.min(Math.max(lastEnd.get(), measureFrom), until) - measureFrom) / 1e9);
    Map<String, Long> errorKinds = new TreeMap<>();
    kinds.forEach((k, v) -> errorKinds.put(k, v.sum()));
    return new Span(
        measureFrom - start, seconds, ok.sum(), errors.sum(), errorKinds, cpuEnd - cpuStart);
  }
}
