package dev.estuary.server.http;

import dev.estuary.server.store.StoreUnavailable;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The answer to a request that failed because the database cannot be reached ({@code
 * store.StoreUnavailable}): 503 with Retry-After, so devices back off and try again, and no stack
 * trace. While the database is away every request fails the same way, so the log gets one line per
 * {@link #LOG_EVERY_NANOS} saying how many were answered so since the last.
 */
public final class Unavailable {
  private static final Logger LOG = LoggerFactory.getLogger(Unavailable.class);

  /** Seconds a client is asked to wait: about how long a database restart or failover takes. */
  public static final int RETRY_AFTER_SECONDS = 10;

  public static final HttpField RETRY_AFTER =
      new HttpField(HttpHeader.RETRY_AFTER, Integer.toString(RETRY_AFTER_SECONDS));

  public static final String MESSAGE =
      "the certificate store is unavailable; nothing was issued or changed, try again in "
          + RETRY_AFTER_SECONDS
          + " s";

  /** The answer to a request no store worker took in time ({@link StoreWorkers}). */
  public static final String BUSY =
      "the server is busy; nothing was issued or changed, try again in "
          + RETRY_AFTER_SECONDS
          + " s";

  private static final long LOG_EVERY_NANOS = 10_000_000_000L;
  private static final AtomicLong lastLogged = new AtomicLong(System.nanoTime() - LOG_EVERY_NANOS);
  private static final AtomicLong unlogged = new AtomicLong();

  private Unavailable() {}

  /** Logs (at most one line per 10 s) that {@code request} was answered 503 for {@code cause}. */
  public static void answer(String service, Request request, Throwable cause) {
    log(
        service,
        request,
        "the database cannot be reached (" + StoreUnavailable.describe(cause) + ")");
  }

  /**
   * Logs (at most one line per 10 s, shared with {@link #answer}) that {@code request} was answered
   * 503 busy: no store worker took it in time ({@link StoreWorkers}).
   */
  public static void busy(String service, Request request, int waiting) {
    log(service, request, "no store worker was free in time (" + waiting + " requests waiting)");
  }

  private static void log(String service, Request request, String why) {
    long now = System.nanoTime();
    long last = lastLogged.get();
    if (now - last < LOG_EVERY_NANOS || !lastLogged.compareAndSet(last, now)) {
      unlogged.incrementAndGet();
      return;
    }
    long more = unlogged.getAndSet(0);
    LOG.warn(
        "{} {} {}: {}; answered 503 Retry-After {}{}",
        service,
        request.getMethod(),
        LogSafe.escape(request.getHttpURI().getPath()),
        LogSafe.escape(why),
        RETRY_AFTER_SECONDS,
        more == 0 ? "" : " (and " + more + " more requests since the last such line)");
  }
}
