package dev.estuary.server.console;

import dev.estuary.server.app.NotPermitted;
import dev.estuary.server.store.FleetStatistics;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The overview's figures at hand, computed in the background, one computation at a time: a view
 * never waits for them longer than {@code firstWait}, and only while there are none yet (the first
 * view after a start); after that a view past {@code maxAge} starts a computation and is answered
 * with the figures at hand, stamped with their time (docs/console.md, "Overview").
 */
final class LatestFigures {
  private static final Logger LOG = LoggerFactory.getLogger(LatestFigures.class);

  /** Computes the figures at an instant. */
  interface Computation {
    FleetStatistics.Snapshot at(Instant now) throws NotPermitted;
  }

  private final Duration maxAge;
  private final Duration firstWait;
  private volatile FleetStatistics.Snapshot latest;
  private CompletableFuture<FleetStatistics.Snapshot> computing; // guarded by this

  LatestFigures(Duration maxAge, Duration firstWait) {
    this.maxAge = Objects.requireNonNull(maxAge, "maxAge");
    this.firstWait = Objects.requireNonNull(firstWait, "firstWait");
  }

  /**
   * The figures to show at {@code now}: the latest, or, when there are none yet, those of the
   * computation this view starts or finds running if it ends within {@code firstWait}; empty when
   * it does not (the page says they are being computed).
   *
   * @throws NotPermitted when the first computation, waited for, was refused
   */
  Optional<FleetStatistics.Snapshot> at(Instant now, Computation computation) throws NotPermitted {
    FleetStatistics.Snapshot s = latest;
    if (s != null) {
      if (!now.isBefore(s.at().plus(maxAge))) {
        start(now, computation);
      }
      return Optional.of(s);
    }
    CompletableFuture<FleetStatistics.Snapshot> first = start(now, computation);
    try {
      return Optional.of(first.get(firstWait.toNanos(), TimeUnit.NANOSECONDS));
    } catch (TimeoutException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    } catch (ExecutionException e) {
      switch (e.getCause()) {
        case NotPermitted n -> throw n;
        case RuntimeException r -> throw r;
        case Error err -> throw err;
        default -> throw new IllegalStateException(e.getCause());
      }
    }
  }

  /** The running computation, or a new one at {@code now}. */
  private synchronized CompletableFuture<FleetStatistics.Snapshot> start(
      Instant now, Computation computation) {
    if (computing != null) {
      return computing;
    }
    CompletableFuture<FleetStatistics.Snapshot> f = new CompletableFuture<>();
    computing = f;
    Thread.ofVirtual()
        .name("console-statistics")
        .start(
            () -> {
              // Over before its waiters hear of it: a view that follows may start the next one.
              try {
                FleetStatistics.Snapshot s = computation.at(now);
                latest = s;
                done();
                f.complete(s);
              } catch (NotPermitted | RuntimeException | Error e) {
                LOG.warn("console: the overview's figures were not computed: {}", e.toString());
                done();
                f.completeExceptionally(e);
              }
            });
    return f;
  }

  private synchronized void done() {
    computing = null;
  }
}
