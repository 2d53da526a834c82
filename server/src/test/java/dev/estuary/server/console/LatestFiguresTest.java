package dev.estuary.server.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.estuary.server.store.FleetStatistics;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** The overview's figures: no view waits longer than the bound, one computation at a time. */
class LatestFiguresTest {
  private static final Instant T = Instant.parse("2030-01-01T10:00:00Z");
  private static final Duration MAX_AGE = Duration.ofSeconds(30);

  private static FleetStatistics.Snapshot at(Instant t) {
    return new FleetStatistics.Snapshot(
        t,
        List.of(),
        LocalDate.of(2030, 1, 1),
        Map.of(),
        new long[24],
        0,
        List.of(),
        Duration.ZERO);
  }

  @Test
  void theFirstViewGetsFiguresThatAreReadyWithinTheBound() throws Exception {
    LatestFigures figures = new LatestFigures(MAX_AGE, Duration.ofSeconds(10));
    assertThat(figures.at(T, LatestFiguresTest::at)).map(FleetStatistics.Snapshot::at).contains(T);
  }

  @Test
  void aSlowFirstComputationIsNotWaitedForPastTheBoundAndItsFiguresAreShownOnceReady()
      throws Exception {
    LatestFigures figures = new LatestFigures(MAX_AGE, Duration.ofMillis(100));
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger computations = new AtomicInteger();
    LatestFigures.Computation slow =
        now -> {
          computations.incrementAndGet();
          try {
            release.await(30, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return at(now);
        };

    long started = System.nanoTime();
    assertThat(figures.at(T, slow)).isEmpty();
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
    // a second view while it runs starts no other computation
    assertThat(figures.at(T.plusSeconds(1), slow)).isEmpty();
    release.countDown();

    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> figures.at(T.plusSeconds(2), slow), Optional::isPresent);
    assertThat(figures.at(T.plusSeconds(3), slow)).map(FleetStatistics.Snapshot::at).contains(T);
    assertThat(computations).hasValue(1);
  }

  @Test
  void aViewPastTheMaxAgeIsAnsweredWithTheFiguresAtHandAndStartsOneComputation() throws Exception {
    LatestFigures figures = new LatestFigures(MAX_AGE, Duration.ofSeconds(10));
    figures.at(T, LatestFiguresTest::at);
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger computations = new AtomicInteger();
    LatestFigures.Computation slow =
        now -> {
          computations.incrementAndGet();
          try {
            release.await(30, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return at(now);
        };

    Instant stale = T.plus(MAX_AGE);
    assertThat(figures.at(stale, slow)).map(FleetStatistics.Snapshot::at).contains(T);
    assertThat(figures.at(stale.plusSeconds(1), slow))
        .map(FleetStatistics.Snapshot::at)
        .contains(T);
    release.countDown();
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> figures.at(stale.plusSeconds(2), slow).orElseThrow().at().equals(stale));
    assertThat(computations).hasValue(1);
  }

  @Test
  void aFirstComputationThatFailsWithinTheBoundFailsTheViewAndTheNextViewTriesAgain()
      throws Exception {
    LatestFigures figures = new LatestFigures(MAX_AGE, Duration.ofSeconds(10));
    assertThatThrownBy(
            () ->
                figures.at(
                    T,
                    now -> {
                      throw new IllegalStateException("database away");
                    }))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("database away");
    // the failed computation is over once it has failed the view: the next one starts another
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .ignoreExceptions()
        .until(() -> figures.at(T, LatestFiguresTest::at), Optional::isPresent);
  }
}
