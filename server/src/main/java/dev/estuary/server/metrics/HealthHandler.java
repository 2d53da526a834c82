package dev.estuary.server.metrics;

import dev.estuary.server.http.Replies;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code GET /healthz} (the process serves: 200) and {@code GET /readyz} (it can issue: 200, or 503
 * with the reason) on the admin port, without a token, for a load balancer or an orchestrator.
 */
public final class HealthHandler extends Handler.Abstract {
  private final Readiness readiness;

  public HealthHandler(Readiness readiness) {
    this.readiness = readiness;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    String path = request.getHttpURI().getPath();
    if (path.equals("/healthz")) {
      Replies.text(response, callback, 200, "alive");
      return true;
    }
    if (path.equals("/readyz")) {
      Readiness.State s = readiness.state();
      Replies.text(response, callback, s.ready() ? 200 : 503, s.reason());
      return true;
    }
    return false;
  }
}
