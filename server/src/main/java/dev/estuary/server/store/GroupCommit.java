package dev.estuary.server.store;

import dev.estuary.server.audit.AuditEvent;
import dev.estuary.server.audit.AuditLog;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit for issued certificates: the records of concurrent issuances share one transaction
 * (one commit, one fsync on PostgreSQL, one chunk write on H2), while each caller still returns
 * only once its own record is committed. A batch is whatever queued up while the previous one
 * committed, so a lone request is not delayed and a busy server commits in bulk.
 *
 * <p>A secret that cannot be used refuses only its own record (the conditional UPDATE leaves the
 * transaction usable). Anything that fails the whole batch (a serial collision, a lost connection)
 * makes every record of it retry alone, in its own transaction, so one bad record never fails the
 * others. A batch that fails because the database cannot be reached ({@link StoreUnavailable})
 * fails every record of it at once.
 *
 * <p>The batch's audit records (one per certificate) are appended last in its transaction: the
 * chain's head is locked once per batch, from the append to the commit.
 */
final class GroupCommit implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GroupCommit.class);
  private static final int MAX_BATCH = 256;

  private final Jdbi jdbi;
  private final JdbiCertificateStore store;
  private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  private final Thread committer;
  private volatile boolean closed;

  private record Pending(CertificateRecord cert, String secretId, CompletableFuture<Void> done) {}

  GroupCommit(Jdbi jdbi, JdbiCertificateStore store) {
    this.jdbi = jdbi;
    this.store = store;
    committer = new Thread(this::run, "estuary-group-commit");
    committer.setDaemon(true);
    committer.start();
  }

  /** Queues the record and waits until it is committed (or refused). */
  void record(CertificateRecord cert, String secretId) {
    if (closed) {
      throw new IllegalStateException("the certificate store is closed");
    }
    Pending p = new Pending(cert, secretId, new CompletableFuture<>());
    queue.add(p);
    try {
      p.done().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(
          "interrupted while waiting for the certificate record to commit", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException("recording the certificate failed", e.getCause());
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
    for (Pending p; (p = queue.poll()) != null; ) {
      p.done()
          .completeExceptionally(
              new IllegalStateException(
                  "the certificate store closed before this record was committed"));
    }
  }

  private void run() {
    List<Pending> batch = new ArrayList<>(MAX_BATCH);
    while (true) {
      try {
        batch.add(queue.take());
        queue.drainTo(batch, MAX_BATCH - 1);
        commit(batch);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (Throwable t) { // never leave a caller waiting
        for (Pending p : batch) {
          p.done().completeExceptionally(t);
        }
      } finally {
        batch.clear();
      }
    }
  }

  private void commit(List<Pending> batch) {
    Map<Pending, String> refused = new IdentityHashMap<>();
    try {
      jdbi.useTransaction(
          handle -> {
            PreparedBatch insert = handle.prepareBatch(JdbiCertificateStore.INSERT);
            List<AuditEvent> audit = new ArrayList<>(batch.size());
            int rows = 0;
            for (Pending p : batch) {
              if (p.secretId() != null) {
                String reason =
                    JdbiCertificateStore.consumeSecretUse(
                        handle, p.secretId(), p.cert().issuedAt());
                if (reason != null) {
                  refused.put(p, reason);
                  continue;
                }
              }
              JdbiCertificateStore.bind(insert, p.cert()).add();
              audit.add(JdbiCertificateStore.issued(p.cert(), p.secretId()));
              rows++;
            }
            if (rows > 0) {
              insert.execute();
              AuditLog.append(handle, audit);
            }
          });
    } catch (RuntimeException e) {
      if (StoreUnavailable.isCause(e)) {
        // The database cannot be reached: retrying each record alone would make the last of a
        // full batch wait MAX_BATCH connection timeouts. The transaction was rolled back; every
        // caller answers 503 and its device tries again.
        for (Pending p : batch) {
          p.done().completeExceptionally(e);
        }
        return;
      }
      if (batch.size() > 1) {
        LOG.debug(
            "group commit of {} records failed ({}); recording each alone",
            batch.size(),
            e.toString());
      }
      for (Pending p : batch) {
        try {
          store.recordAlone(p.cert(), p.secretId());
          p.done().complete(null);
        } catch (RuntimeException alone) {
          p.done().completeExceptionally(alone);
        }
      }
      return;
    }
    for (Pending p : batch) {
      String reason = refused.get(p);
      if (reason != null) {
        p.done().completeExceptionally(new SecretRefusedException(reason));
      } else {
        p.done().complete(null);
      }
    }
  }
}
