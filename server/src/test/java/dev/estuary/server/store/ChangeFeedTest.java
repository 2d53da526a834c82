package dev.estuary.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The change feed on H2 (counter poll) and PostgreSQL (LISTEN/NOTIFY): a committed announcement
 * reaches the topic's subscribers within a second, a rolled-back one never, another topic's
 * subscribers are not called, and a feed started later takes what it finds as its baseline.
 */
@ParameterizedClass
@EnumSource(Backend.class)
class ChangeFeedTest extends BackendTestCase {
  private ChangeFeed feed;

  @BeforeEach
  void startFeed() {
    feed = ChangeFeed.start(db);
  }

  @AfterEach
  void stopFeed() {
    feed.close();
  }

  @Test
  void aCommittedAnnouncementReachesItsTopicsSubscribersWithinOneSecond() {
    AtomicInteger revocations = new AtomicInteger();
    AtomicInteger enrollments = new AtomicInteger();
    feed.subscribe(ChangeFeed.Topic.REVOCATION, revocations::incrementAndGet);
    feed.subscribe(ChangeFeed.Topic.ENROLLMENT, enrollments::incrementAndGet);

    db.jdbi().useTransaction(h -> ChangeFeed.announce(h, ChangeFeed.Topic.REVOCATION));

    await().atMost(Duration.ofSeconds(1)).until(() -> revocations.get() == 1);
    assertThat(enrollments.get()).isZero();
  }

  @Test
  void aRolledBackAnnouncementReachesNoOne() {
    AtomicInteger calls = new AtomicInteger();
    feed.subscribe(ChangeFeed.Topic.DEVICE, calls::incrementAndGet);

    assertThatThrownBy(
            () ->
                db.jdbi()
                    .useTransaction(
                        h -> {
                          ChangeFeed.announce(h, ChangeFeed.Topic.DEVICE);
                          throw new IllegalStateException("rolled back");
                        }))
        .hasMessage("rolled back");

    // a later committed change is seen: the rolled-back one would have been seen with it
    AtomicInteger tokens = new AtomicInteger();
    feed.subscribe(ChangeFeed.Topic.TOKEN, tokens::incrementAndGet);
    db.jdbi().useTransaction(h -> ChangeFeed.announce(h, ChangeFeed.Topic.TOKEN));
    await().atMost(Duration.ofSeconds(1)).until(() -> tokens.get() == 1);
    assertThat(calls.get()).isZero();
  }

  @Test
  void changesBeforeAFeedStartedAreItsBaselineNotAnnouncements() {
    db.jdbi().useTransaction(h -> ChangeFeed.announce(h, ChangeFeed.Topic.HUB));
    AtomicInteger calls = new AtomicInteger();
    try (ChangeFeed later = ChangeFeed.start(db)) {
      later.subscribe(ChangeFeed.Topic.HUB, calls::incrementAndGet);
      long polls = later.polls();
      await().atMost(Duration.ofSeconds(10)).until(() -> later.polls() > polls);
      assertThat(calls.get()).isZero();
      db.jdbi().useTransaction(h -> ChangeFeed.announce(h, ChangeFeed.Topic.HUB));
      await().atMost(Duration.ofSeconds(1)).until(() -> calls.get() == 1);
    }
  }

  @Test
  void onPostgresqlItListensAndOnH2ItPolls() {
    if (backend == Backend.H2) {
      assertThat(feed.listening()).isFalse();
      long polls = feed.polls();
      await().atMost(Duration.ofSeconds(2)).until(() -> feed.polls() >= polls + 2);
    } else {
      await().atMost(Duration.ofSeconds(10)).until(feed::listening);
      long before = feed.notifications();
      db.jdbi().useTransaction(h -> ChangeFeed.announce(h, ChangeFeed.Topic.BINDING));
      await().atMost(Duration.ofSeconds(1)).until(() -> feed.notifications() > before);
    }
  }
}
