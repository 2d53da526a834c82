package dev.estuary.server.store;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit: the writes of concurrent callers share one transaction (one commit, one fsync on
 * PostgreSQL, one chunk write on H2), while each caller still returns only once its own write is
 * committed. A batch is whatever queued up while the previous one committed, so a lone request is
 * not delayed and a busy server commits in bulk. Issued certificates and DPS registrations each
 * have one ({@link JdbiCertificateStore}, {@link JdbiRegistrationStore}).
 *
 * <p>A write the {@link Batch} refuses (a secret that cannot be used) refuses only its own caller
 * (the refusal leaves the transaction usable). Anything that fails the whole batch (a serial
 * collision, a lost connection) makes every write of it run alone, in its own transaction, so one
 * bad write never fails the others. A batch that fails because the database cannot be reached
 * ({@link StoreUnavailable}) fails every write of it at once: retrying each alone would make the
 * last of a full batch wait that many connection timeouts.
 *
 * @param <T> what one caller writes
 */
final class GroupCommit<T> implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GroupCommit.class);
  private static final int MAX_BATCH = 256;

  /**
   * The committer's Java priority while it commits a batch, used by no other thread of the server
   * or the JDK, so that the launcher can map it alone to a higher operating-system priority where
   * the process may raise one ({@code -XX:ThreadPriorityPolicy=1} and {@code
   * -XX:JavaPriority7_To_OSPriority}: scripts/lib-jvm.sh). Every issuance waits for this one
   * thread; on busy cores it should not wait for a core, holding a batch, behind the very requests
   * that wait for it. It waits for the next batch at the normal priority: woken ahead of the others
   * it would commit smaller batches, and more of them (docs/benchmarks.md, "Round five"). Without
   * those flags (the JVM's default on Linux) Java priorities change nothing.
   */
  static final int COMMITTER_PRIORITY = 7;

  /** How a store writes a batch of its items. */
  interface Batch<T> {
    /**
     * Writes the items in the handle's transaction.
     *
     * @return the items refused, each with the exception its caller gets (the others commit)
     */
    Map<T, RuntimeException> write(Handle handle, List<T> items);

    /** Writes one item in a transaction of its own: the path a failed batch falls back to. */
    void writeAlone(T item);
  }

  private final Jdbi jdbi;
  private final Batch<T> batch;
  private final LinkedBlockingQueue<Pending<T>> queue = new LinkedBlockingQueue<>();
  private final Thread committer;
  private volatile boolean closed;

  private record Pending<T>(T item, CompletableFuture<Void> done) {}

  GroupCommit(Jdbi jdbi, Batch<T> batch, String name) {
    this.jdbi = jdbi;
    this.batch = batch;
    committer = new Thread(this::run, "estuary-group-commit-" + name);
    committer.setDaemon(true);
    committer.start();
  }

  /** Queues the item and waits until it is committed (or refused). */
  void write(T item) {
    if (closed) {
      throw new IllegalStateException("the store is closed");
    }
    Pending<T> p = new Pending<>(item, new CompletableFuture<>());
    queue.add(p);
    try {
      p.done().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the record to commit", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException("recording failed", e.getCause());
    }
  }

  /** Stops the committer; anything still queued fails (the server stops taking requests first). */
  @Override
  public void close() {
    closed = true;
    committer.interrupt();
    try {
      committer.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (Pending<T> p; (p = queue.poll()) != null; ) {
      p.done()
          .completeExceptionally(
              new IllegalStateException("the store closed before this record was committed"));
    }
  }

  private void run() {
    List<Pending<T>> pending = new ArrayList<>(MAX_BATCH);
    while (true) {
      try {
        pending.add(queue.take());
        queue.drainTo(pending, MAX_BATCH - 1);
        Thread.currentThread().setPriority(COMMITTER_PRIORITY);
        commit(pending);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (Throwable t) { // never leave a caller waiting
        for (Pending<T> p : pending) {
          p.done().completeExceptionally(t);
        }
      } finally {
        pending.clear();
        Thread.currentThread().setPriority(Thread.NORM_PRIORITY);
      }
    }
  }

  private void commit(List<Pending<T>> pending) {
    List<T> items = new ArrayList<>(pending.size());
    for (Pending<T> p : pending) {
      items.add(p.item());
    }
    Map<T, RuntimeException> refused;
    try {
      refused = jdbi.inTransaction(handle -> batch.write(handle, items));
    } catch (RuntimeException e) {
      if (StoreUnavailable.isCause(e)) {
        // The transaction was rolled back; every caller answers 503 and its device tries again.
        for (Pending<T> p : pending) {
          p.done().completeExceptionally(e);
        }
        return;
      }
      if (pending.size() > 1) {
        LOG.debug(
            "group commit of {} records failed ({}); recording each alone",
            pending.size(),
            e.toString());
      }
      for (Pending<T> p : pending) {
        try {
          batch.writeAlone(p.item());
          p.done().complete(null);
        } catch (RuntimeException alone) {
          p.done().completeExceptionally(alone);
        }
      }
      return;
    }
    for (Pending<T> p : pending) {
      RuntimeException refusal = refused.get(p.item());
      if (refusal != null) {
        p.done().completeExceptionally(refusal);
      } else {
        p.done().complete(null);
      }
    }
  }

  /** A new map for {@link Batch#write}'s refusals, keyed by identity (records may be equal). */
  static <T> Map<T, RuntimeException> refusals() {
    return new IdentityHashMap<>();
  }
}
