package dev.estuary.server.http;

import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Where the requests that use the certificate store (enrollments, registrations) do that work: a
 * fixed set of platform threads, fewer than the database pool has connections, taking requests in
 * the order they came.
 *
 * <p>Why not the request's own virtual thread: on a busy server the virtual threads share one
 * carrier per core with every TLS handshake in progress. A virtual thread holding a pooled database
 * connection waits after each round trip behind all of those for a carrier again, so connections
 * stay borrowed for seconds, the pool runs dry and requests time out waiting for one (503) while
 * the database is idle: measured with the fleet simulator, 1,000 devices on two replicas
 * (docs/reliability.md, "Runs of 6 December 2026"). A platform thread is scheduled by the operating
 * system beside the carriers, so work that has begun finishes at the speed of the CPU and what
 * waits is new handshakes: the server finishes what it started before it takes more.
 *
 * <p>Bounded: at most {@link #QUEUE_LIMIT} requests wait; a request that waited longer than the
 * longest wait given, or found the queue full, is answered busy (503 with Retry-After) by the
 * caller's {@code busy} without any of its work done ({@link Unavailable#BUSY}).
 */
public final class StoreWorkers implements AutoCloseable {
  /** The most requests waiting for a worker. */
  static final int QUEUE_LIMIT = 10_000;

  private final ThreadPoolExecutor workers; // null: inline
  private final long maxWaitNanos;
  private final LongAdder busy = new LongAdder();

  private StoreWorkers() {
    this.workers = null;
    this.maxWaitNanos = Long.MAX_VALUE;
  }

  /** No workers: the work runs on the caller's thread (a handler tested on its own). */
  public static StoreWorkers inline() {
    return new StoreWorkers();
  }

  /**
   * @param threads how many requests do store work at once (fewer than the pool's connections: the
   *     group commit and the admin port hold some)
   * @param maxWait the longest a request waits for a worker before it is answered busy
   */
  public StoreWorkers(int threads, Duration maxWait) {
    if (threads < 1) {
      throw new IllegalArgumentException("at least one store worker: " + threads);
    }
    AtomicInteger n = new AtomicInteger();
    this.workers =
        new ThreadPoolExecutor(
            threads,
            threads,
            0,
            TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(QUEUE_LIMIT),
            r -> {
              Thread t = new Thread(r, "estuary-store-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    this.maxWaitNanos = maxWait.toNanos();
  }

  /** Workers for a database pool of {@code poolSize} connections: three in four of them. */
  public static StoreWorkers forPool(int poolSize, Duration maxWait) {
    return new StoreWorkers(Math.max(1, poolSize * 3 / 4), maxWait);
  }

  /**
   * Runs {@code work} on a worker, or {@code busy} (on a worker, or here when the queue is full)
   * when no worker took it within the longest wait. Returns at once.
   */
  public void execute(Runnable work, Runnable busy) {
    if (workers == null) {
      work.run();
      return;
    }
    long queued = System.nanoTime();
    try {
      workers.execute(
          () -> {
            if (System.nanoTime() - queued > maxWaitNanos) {
              this.busy.increment();
              busy.run();
            } else {
              work.run();
            }
          });
    } catch (RejectedExecutionException e) {
      this.busy.increment();
      busy.run();
    }
  }

  /** How many requests do store work at once (1 when inline). */
  public int threads() {
    return workers == null ? 1 : workers.getCorePoolSize();
  }

  /** Requests answered busy so far. */
  public long busyAnswers() {
    return busy.sum();
  }

  /** Requests waiting for a worker now. */
  public int waiting() {
    return workers == null ? 0 : workers.getQueue().size();
  }

  @Override
  public void close() {
    if (workers != null) {
      workers.shutdownNow();
    }
  }
}
