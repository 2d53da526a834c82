package dev.estuary.server.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jdbi.v3.core.Handle;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells every replica sharing the database that something it may have cached changed, so a
 * revocation, a disabled device or secret, a revoked token or a deleted enrollment made on one
 * replica is refused by all within a second.
 *
 * <p>Writing: a store calls {@link #announce(Handle, Topic)} in the transaction of the change. It
 * bumps the topic's row in {@code change_counter} and, on PostgreSQL, sends {@code NOTIFY
 * estuary_changes, '<topic>'}; both take effect with the commit and vanish with a rollback.
 *
 * <p>Reading: {@link #start} runs one thread that reads the counters ({@code SELECT topic, version
 * FROM change_counter}: eight rows by primary key) and calls the subscribers of each topic whose
 * version moved. On PostgreSQL a second thread holds a connection of its own (not from the pool)
 * that LISTENs: a notification makes the counters be read at once. Without a listener (H2, or the
 * listener's connection lost, until it is back) the counters are read every {@link
 * #FALLBACK_INTERVAL}; with one, every {@link #SAFETY_INTERVAL} anyway, and at once after each
 * (re)connection, so a notification missed while the listener was down is never missed for good.
 */
public final class ChangeFeed implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ChangeFeed.class);

  /** The PostgreSQL channel. */
  public static final String CHANNEL = "estuary_changes";

  /** How often the counters are read when no notification can arrive. */
  public static final Duration FALLBACK_INTERVAL = Duration.ofMillis(400);

  /** How often the counters are read while the listener is connected. */
  public static final Duration SAFETY_INTERVAL = Duration.ofSeconds(5);

  /** How long the listener waits for notifications before it checks its connection. */
  static final Duration LISTEN_WAIT = Duration.ofMillis(500);

  /** The kinds of change a replica may have cached something about. */
  public enum Topic {
    /** A certificate revoked: CRLs and OCSP answers. */
    REVOCATION,
    /** A device disabled or enabled. */
    DEVICE,
    /** A bootstrap secret or Basic user created, changed, disabled or deleted. */
    CREDENTIAL,
    /** An admin token created or revoked. */
    TOKEN,
    /** A provisioning enrollment (individual or group) created, changed or deleted. */
    ENROLLMENT,
    /** A provisioning CA certificate added, verified or deleted. */
    CA_CERTIFICATE,
    /** A linked hub added, reweighted or removed. */
    HUB,
    /** A name binding made or released. */
    BINDING;

    /** Its name in {@code change_counter} and in notifications. */
    public String wire() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static Topic ofWire(String wire) {
      for (Topic t : values()) {
        if (t.wire().equals(wire)) {
          return t;
        }
      }
      return null;
    }
  }

  /**
   * Announces a change of {@code topic}, in the transaction {@code handle} is in (it takes effect
   * with the commit).
   */
  public static void announce(Handle handle, Topic topic) {
    handle
        .createUpdate("UPDATE change_counter SET version = version + 1 WHERE topic = :topic")
        .bind("topic", topic.wire())
        .execute();
    if (isPostgres(handle)) {
      // The topic is one of the enum's constant names: nothing from a request is inlined.
      handle.execute("NOTIFY " + CHANNEL + ", '" + topic.wire() + "'");
    }
  }

  private static boolean isPostgres(Handle handle) {
    return Database.isPostgres(handle);
  }

  private final Database database;
  private final Map<Topic, List<Runnable>> subscribers = new EnumMap<>(Topic.class);
  private final Map<Topic, Long> seen = new EnumMap<>(Topic.class);
  private final ScheduledExecutorService poller;
  private final AtomicLong polls = new AtomicLong();
  private final AtomicLong notifications = new AtomicLong();
  private volatile boolean listening;
  private volatile boolean closed;
  private volatile long lastPollNanos;
  private volatile Connection listenConnection;
  private Thread listener;

  private ChangeFeed(Database database) {
    this.database = database;
    for (Topic t : Topic.values()) {
      subscribers.put(t, new CopyOnWriteArrayList<>());
    }
    this.poller =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "estuary-change-poll");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Starts following the database's changes: reads the counters now (the baseline: nothing is
   * announced for changes made before), then as described above.
   */
  public static ChangeFeed start(Database database) {
    ChangeFeed feed = new ChangeFeed(database);
    try {
      feed.poll();
    } catch (RuntimeException e) {
      LOG.warn("change feed: cannot read the change counters yet ({}); retrying", e.getMessage());
    }
    long tick = FALLBACK_INTERVAL.toMillis();
    feed.poller.scheduleWithFixedDelay(feed::tick, tick, tick, TimeUnit.MILLISECONDS);
    if (database.isPostgres()) {
      feed.listener = new Thread(feed::listen, "estuary-change-listen");
      feed.listener.setDaemon(true);
      feed.listener.start();
    }
    return feed;
  }

  /**
   * Calls {@code onChange} (on the feed's thread) each time another replica, or this one, changed
   * {@code topic}. It should be quick: drop a cache, or start a rebuild.
   */
  public void subscribe(Topic topic, Runnable onChange) {
    subscribers.get(topic).add(onChange);
  }

  /** True while a LISTEN connection is up (PostgreSQL); false on H2 or while it reconnects. */
  public boolean listening() {
    return listening;
  }

  /** How many times the counters were read (for tests and metrics). */
  public long polls() {
    return polls.get();
  }

  /** How many notifications arrived on the LISTEN connection. */
  public long notifications() {
    return notifications.get();
  }

  private void tick() {
    long since = System.nanoTime() - lastPollNanos;
    if (listening && since < SAFETY_INTERVAL.toNanos()) {
      return;
    }
    pollQuietly();
  }

  /** Reads the counters now (from the poll thread) and calls the subscribers of what moved. */
  private void pollSoon() {
    if (!closed) {
      try {
        poller.execute(this::pollQuietly);
      } catch (RuntimeException e) {
        // closing
      }
    }
  }

  private void pollQuietly() {
    try {
      poll();
    } catch (RuntimeException e) {
      LOG.debug("change feed: reading the change counters failed: {}", e.toString());
    }
  }

  private synchronized void poll() {
    Map<Topic, Long> now = new EnumMap<>(Topic.class);
    database
        .jdbi()
        .useHandle(
            h ->
                h.createQuery("SELECT topic, version FROM change_counter")
                    .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getLong(2)))
                    .forEach(
                        e -> {
                          Topic t = Topic.ofWire(e.getKey());
                          if (t != null) {
                            now.put(t, e.getValue());
                          }
                        }));
    polls.incrementAndGet();
    lastPollNanos = System.nanoTime();
    boolean baseline = seen.isEmpty();
    for (Map.Entry<Topic, Long> e : now.entrySet()) {
      Long before = seen.put(e.getKey(), e.getValue());
      if (!baseline && !e.getValue().equals(before)) {
        fire(e.getKey());
      }
    }
  }

  private void fire(Topic topic) {
    LOG.debug("change feed: {} changed", topic.wire());
    for (Runnable r : subscribers.get(topic)) {
      try {
        r.run();
      } catch (RuntimeException e) {
        LOG.warn("change feed: a subscriber of {} failed", topic.wire(), e);
      }
    }
  }

  private void listen() {
    long backoffMs = 200;
    while (!closed) {
      try (Connection c = database.openDedicatedConnection()) {
        listenConnection = c;
        try (Statement st = c.createStatement()) {
          st.execute("LISTEN " + CHANNEL);
        }
        PGConnection pg = c.unwrap(PGConnection.class);
        listening = true;
        backoffMs = 200;
        LOG.info("change feed: listening on {}", CHANNEL);
        pollSoon(); // whatever changed while no one listened
        long lastCheck = System.nanoTime();
        while (!closed) {
          PGNotification[] got = pg.getNotifications((int) LISTEN_WAIT.toMillis());
          if (got != null && got.length > 0) {
            notifications.addAndGet(got.length);
            pollSoon();
          }
          if (System.nanoTime() - lastCheck > SAFETY_INTERVAL.toNanos()) {
            // a connection that died without a word (no RST) shows here
            try (Statement st = c.createStatement()) {
              st.setQueryTimeout(5);
              try (ResultSet rs = st.executeQuery("SELECT 1")) {
                rs.next();
              }
            }
            lastCheck = System.nanoTime();
          }
        }
      } catch (SQLException | RuntimeException e) {
        if (closed) {
          break;
        }
        if (listening) {
          LOG.warn(
              "change feed: the LISTEN connection was lost ({}); reading the change counters"
                  + " every {} ms until it is back",
              e.getMessage(),
              FALLBACK_INTERVAL.toMillis());
        } else {
          LOG.debug("change feed: cannot LISTEN yet: {}", e.toString());
        }
      } finally {
        listening = false;
        listenConnection = null;
      }
      try {
        Thread.sleep(backoffMs);
      } catch (InterruptedException e) {
        break;
      }
      backoffMs = Math.min(backoffMs * 2, 5_000);
    }
  }

  @Override
  public void close() {
    closed = true;
    poller.shutdownNow();
    Thread l = listener;
    if (l != null) {
      l.interrupt();
      Connection c = listenConnection;
      if (c != null) {
        try {
          c.close();
        } catch (SQLException e) {
          // closing anyway
        }
      }
      try {
        l.join(2_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
