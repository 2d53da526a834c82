package dev.estuary.server.metrics;

import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Times every request of a listener from the moment its handler gets it to the moment its answer is
 * written, under a bounded endpoint name ({@link Endpoints}) and the answer's status class.
 */
public final class RequestTimer extends Handler.Wrapper {
  private final ServerMetrics metrics;
  private final String listener;
  private final BiFunction<String, String, String> endpointOf;

  /**
   * @param endpointOf (method, path) to a name from a fixed set, e.g. {@link Endpoints#device}
   */
  public RequestTimer(
      ServerMetrics metrics,
      String listener,
      BiFunction<String, String, String> endpointOf,
      Handler handler) {
    super(handler);
    this.metrics = metrics;
    this.listener = listener;
    this.endpointOf = endpointOf;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    long start = System.nanoTime();
    String endpoint = endpointOf.apply(request.getMethod(), request.getHttpURI().getPath());
    Callback timed =
        new Callback() {
          @Override
          public void succeeded() {
            record(endpoint, response.getStatus(), start);
            callback.succeeded();
          }

          @Override
          public void failed(Throwable x) {
            record(endpoint, 0, start);
            callback.failed(x);
          }

          @Override
          public InvocationType getInvocationType() {
            return callback.getInvocationType();
          }
        };
    boolean handled = super.handle(request, response, timed);
    if (!handled) {
      record(endpoint, 404, start);
    }
    return handled;
  }

  private void record(String endpoint, int status, long start) {
    Timer timer =
        metrics.requestTimer(listener, endpoint, status == 0 ? "none" : (status / 100) + "xx");
    timer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
  }
}
