package dev.estuary.server.http;

import java.io.IOException;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A request whose body could not be read: the client closed the connection mid-body, or it timed
 * out. Nobody waits for an answer, or the client is too slow to take one: the request is logged as
 * one WARN line and its socket closed, so Jetty does not answer the failed read with a 500 (it
 * would while the connection is still open, as after an idle timeout under load).
 */
public final class Unreadable {
  private static final Logger LOG = LoggerFactory.getLogger(Unreadable.class);

  private Unreadable() {}

  /** Logs the unread request of {@code service}, closes its socket and fails {@code callback}. */
  public static void abandon(String service, Request request, Callback callback, IOException e) {
    LOG.warn(
        "{} {} {} from {}: the request could not be read ({}); no answer sent",
        service,
        request.getMethod(),
        LogSafe.escape(request.getHttpURI().getPath()),
        Request.getRemoteAddr(request),
        LogSafe.escape(String.valueOf(e.getMessage())));
    SlowClientGuard.closeSocket(request.getConnectionMetaData().getConnection());
    callback.failed(e);
  }
}
