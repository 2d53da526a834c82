package dev.estuary.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link StoreWorkers}: work runs on its platform threads in arrival order, and a request that
 * waited longer than the longest wait is answered busy instead of doing its work.
 */
class StoreWorkersTest {
  private static final long TIMEOUT_SECONDS = 10;

  @Test
  void runsWorkOnItsOwnPlatformThreadsInArrivalOrder() throws Exception {
    try (StoreWorkers workers = new StoreWorkers(1, Duration.ofSeconds(10))) {
      List<String> ran = new CopyOnWriteArrayList<>();
      CountDownLatch done = new CountDownLatch(3);
      for (String name : List.of("a", "b", "c")) {
        Thread.ofVirtual()
            .start(
                () ->
                    workers.execute(
                        () -> {
                          Thread t = Thread.currentThread();
                          ran.add(name + (t.isVirtual() ? " virtual" : " on " + t.getName()));
                          done.countDown();
                        },
                        () -> ran.add(name + " busy")))
            .join(); // one after the other: arrival order is known
      }
      assertThat(done.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
      assertThat(ran)
          .containsExactly("a on estuary-store-1", "b on estuary-store-1", "c on estuary-store-1");
      assertThat(workers.busyAnswers()).isZero();
    }
  }

  @Test
  void aRequestThatWaitedLongerThanTheLongestWaitIsAnsweredBusyWithoutItsWork() throws Exception {
    try (StoreWorkers workers = new StoreWorkers(1, Duration.ofMillis(50))) {
      CountDownLatch release = new CountDownLatch(1);
      CountDownLatch answered = new CountDownLatch(1);
      List<String> ran = new CopyOnWriteArrayList<>();
      workers.execute(
          () -> {
            try {
              release.await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          },
          () -> ran.add("first busy"));
      workers.execute(
          () -> {
            ran.add("second worked");
            answered.countDown();
          },
          () -> {
            ran.add("second busy");
            answered.countDown();
          });
      assertThat(workers.waiting()).isEqualTo(1);
      Thread.sleep(200); // the second waits four times the longest wait behind the first
      release.countDown();
      assertThat(answered.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
      assertThat(ran).containsExactly("second busy");
      assertThat(workers.busyAnswers()).isEqualTo(1);
    }
  }

  @Test
  void inlineRunsTheWorkOnTheCallersThread() {
    try (StoreWorkers inline = StoreWorkers.inline()) {
      Thread caller = Thread.currentThread();
      Thread[] ranOn = new Thread[1];
      inline.execute(() -> ranOn[0] = Thread.currentThread(), () -> {});
      assertThat(ranOn[0]).isSameAs(caller);
      assertThat(inline.waiting()).isZero();
    }
  }

  @Test
  void threeWorkersPerFourPooledConnectionsAtLeastOne() {
    try (StoreWorkers one = StoreWorkers.forPool(1, Duration.ofSeconds(1));
        StoreWorkers sixteen = StoreWorkers.forPool(16, Duration.ofSeconds(1))) {
      assertThat(one.threads()).isEqualTo(1);
      assertThat(sixteen.threads()).isEqualTo(12);
    }
  }
}
