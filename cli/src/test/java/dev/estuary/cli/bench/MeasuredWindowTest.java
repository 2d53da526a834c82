package dev.estuary.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.estuary.cli.bench.BenchCommand.Outcome;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** When the bench's measured window opens, and what it counts. */
class MeasuredWindowTest {
  /** Answers after {@code firstMillis} the first time, then every {@code thenMillis}. */
  static class Timed implements MeasuredWindow.Worker {
    final long firstMillis;
    final long thenMillis;
    final AtomicInteger requests = new AtomicInteger();
    final AtomicInteger measured = new AtomicInteger();
    final AtomicLong tallied = new AtomicLong();
    volatile boolean closed;

    Timed(long firstMillis, long thenMillis) {
      this.firstMillis = firstMillis;
      this.thenMillis = thenMillis;
    }

    @Override
    public Outcome request(boolean measuring) throws Exception {
      Thread.sleep(requests.getAndIncrement() == 0 ? firstMillis : thenMillis);
      if (measuring) {
        measured.incrementAndGet();
      }
      return Outcome.OK;
    }

    @Override
    public void tally(Outcome outcome, long latencyNanos) {
      tallied.incrementAndGet();
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  @Test
  void aSlowFirstAnswerExtendsTheWarmUpSoTheWindowStillCountsRequests() throws Exception {
    // One client's first answer takes 1.5 s, ten times the warm-up and three times the window:
    // without the extension the window would have opened and closed while it waited.
    Timed slow = new Timed(1500, 10);
    Timed quick = new Timed(10, 10);
    MeasuredWindow.Span span =
        MeasuredWindow.run(
            List.of(slow, quick),
            Duration.ofMillis(150),
            Duration.ofMillis(500),
            null,
            Duration.ofSeconds(30),
            () -> Double.NaN);

    assertThat(span.warmupNanos()).isGreaterThanOrEqualTo(Duration.ofMillis(1500).toNanos());
    assertThat(slow.measured.get()).isPositive();
    assertThat(quick.measured.get()).isPositive();
    assertThat(span.ok()).isEqualTo(slow.measured.get() + quick.measured.get());
    assertThat(span.ok()).isEqualTo(slow.tallied.get() + quick.tallied.get());
    assertThat(span.errors()).isZero();
    assertThat(slow.closed && quick.closed).isTrue();
  }

  @Test
  void theExtensionIsBoundedAndAWorkerThatNeverAnswersDoesNotHoldTheWindowShut() throws Exception {
    Timed stuck = new Timed(2500, 10);
    Timed quick = new Timed(10, 10);
    MeasuredWindow.Span span =
        MeasuredWindow.run(
            List.of(stuck, quick),
            Duration.ofMillis(100),
            Duration.ofMillis(400),
            null,
            Duration.ofMillis(300),
            () -> Double.NaN);

    // The window opened after warm-up + extension (0.4 s), long before the stuck one answered.
    assertThat(span.warmupNanos()).isLessThan(Duration.ofMillis(2000).toNanos());
    assertThat(quick.measured.get()).isPositive();
    assertThat(stuck.measured.get()).isZero();
    assertThat(span.ok()).isEqualTo(quick.measured.get());
  }

  @Test
  void failuresAreCountedByKindAndARequestCapEndsTheWindowEarly() throws Exception {
    MeasuredWindow.Worker failing =
        new Timed(5, 5) {
          @Override
          public Outcome request(boolean measuring) throws Exception {
            super.request(measuring);
            return new Outcome("HTTP 503", 0);
          }
        };
    MeasuredWindow.Span span =
        MeasuredWindow.run(
            List.of(failing),
            Duration.ZERO,
            Duration.ofSeconds(30),
            20L,
            Duration.ofSeconds(5),
            () -> Double.NaN);

    assertThat(span.ok()).isZero();
    assertThat(span.errors()).isEqualTo(20);
    assertThat(span.errorKinds()).containsExactly(Map.entry("HTTP 503", 20L));
    assertThat(span.seconds()).isLessThan(10);
  }

  @Test
  void withoutAWarmUpEveryRequestCountsTheFirstOnesIncluded() throws Exception {
    Timed slow = new Timed(300, 10);
    MeasuredWindow.Span span =
        MeasuredWindow.run(
            List.of(slow),
            Duration.ZERO,
            Duration.ofSeconds(30),
            5L,
            Duration.ofSeconds(30),
            () -> Double.NaN);

    assertThat(slow.requests.get()).isEqualTo(5);
    assertThat(slow.measured.get()).isEqualTo(5);
    assertThat(span.ok()).isEqualTo(5);
    assertThat(span.warmupNanos()).isZero();
  }
}
