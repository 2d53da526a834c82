package dev.estuary.server.provisioning;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.estuary.server.auth.AuthLimits;
import dev.estuary.server.auth.FailedAuthLimiter;
import dev.estuary.server.http.LogSafe;
import dev.estuary.server.http.PeerCertificates;
import dev.estuary.server.http.Replies;
import dev.estuary.server.http.StoreWorkers;
import dev.estuary.server.http.Unavailable;
import dev.estuary.server.http.Unreadable;
import dev.estuary.server.store.EnrollmentRecord;
import dev.estuary.server.store.StoreUnavailable;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DPS device API over HTTP, on the device port at the root path: translates requests into calls
 * on the {@link Registrar} and its answers and refusals into exactly what DPS clients read (202
 * with {@code Retry-After} and {@code Location} for a registration, JSON error bodies with a
 * six-digit {@code errorCode} and the {@code x-ms-error-code} header). Any {@code api-version} is
 * accepted. Authentication is the TLS client certificate alone; a certificate that leads to no
 * trusted CA counts against the failed-authentication limits, checked before a request is queued
 * for a store worker (429 429001 with Retry-After past them).
 *
 * <p>Every refusal is counted in {@code estuary.provisioning.refusals} by the matched enrollment's
 * kind and certificate label ({@code none} before a device matched one) and the {@link ErrorCode}.
 */
public final class ProvisioningHandler extends Handler.Abstract {
  /**
   * Seconds a device waits before polling; the Azure Java SDK waits at least 2 s whatever it is
   * told.
   */
  static final int RETRY_AFTER_SECONDS = 1;

  static final String JSON_UTF8 = "application/json; charset=utf-8";
  private static final Logger LOG = LoggerFactory.getLogger(ProvisioningHandler.class);

  private final Registrar registrar;
  private final int maxBodyBytes;
  private final Clock clock;
  private final MeterRegistry meters;
  private final StoreWorkers workers;
  private final AuthLimits authLimits;

  /**
   * @param meters where refusals are counted
   */
  public ProvisioningHandler(
      Registrar registrar, int maxBodyBytes, Clock clock, MeterRegistry meters) {
    this(
        registrar,
        maxBodyBytes,
        clock,
        meters,
        StoreWorkers.inline(),
        new AuthLimits(new FailedAuthLimiter(clock, 0, Duration.ofMinutes(1))));
  }

  /**
   * @param workers where registrations and their polls are served (the store's threads)
   * @param authLimits the failed-authentication limits (shared with the EST handler)
   */
  public ProvisioningHandler(
      Registrar registrar,
      int maxBodyBytes,
      Clock clock,
      MeterRegistry meters,
      StoreWorkers workers,
      AuthLimits authLimits) {
    this.registrar = registrar;
    this.maxBodyBytes = maxBodyBytes;
    this.clock = clock;
    this.meters = meters;
    this.workers = Objects.requireNonNull(workers, "workers");
    this.authLimits = Objects.requireNonNull(authLimits, "authLimits");
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    ProvisioningPath path;
    try {
      path = ProvisioningPath.parse(request.getHttpURI().getPath());
    } catch (ProvisioningRefusal r) {
      refuse(request, response, callback, r);
      return true;
    } catch (RuntimeException e) {
      answer(
          request,
          response,
          callback,
          () -> {
            throw e; // a failure: answered with an incident id like any other
          });
      return true;
    }
    if (path == null) {
      return false;
    }
    answer(
        request,
        response,
        callback,
        () -> {
          // Before the body is read or a store worker is taken: the failed-authentication limits.
          String address = Request.getRemoteAddr(request);
          Duration wait =
              authLimits.waitFor(address, AuthLimits.certificateId(PeerCertificates.of(request)));
          if (!wait.isZero()) {
            throw ProvisioningRefusal.throttled(
                "too many failed authentications from " + address,
                AuthLimits.retryAfterSeconds(wait));
          }
          // Read here, on the request's own thread: a client sending its body slowly holds no
          // store worker.
          byte[] body = readBody(request, response);
          workers.execute(
              () ->
                  answer(
                      request,
                      response,
                      callback,
                      () -> serve(path, body, request, response, callback)),
              () -> {
                Unavailable.busy("provisioning", request, workers.waiting());
                refuse(
                    request,
                    response,
                    callback,
                    new ProvisioningRefusal(ErrorCode.UNAVAILABLE, Unavailable.BUSY));
              });
        });
    return true;
  }

  /** A part of serving a request; what it throws is answered by {@link #answer}. */
  private interface Step {
    void run() throws ProvisioningRefusal, IOException;
  }

  /** Runs {@code step}, and answers a refusal, an unreadable request or a failure it throws. */
  private void answer(Request request, Response response, Callback callback, Step step) {
    try {
      step.run();
    } catch (ProvisioningRefusal r) {
      if (r.wrongCredentials()) {
        authLimits.failed(
            Request.getRemoteAddr(request), AuthLimits.certificateId(PeerCertificates.of(request)));
      }
      refuse(request, response, callback, r);
    } catch (IOException e) {
      Unreadable.abandon("provisioning", request, callback, e);
    } catch (Exception | Error e) {
      if (StoreUnavailable.isCause(e)) {
        Unavailable.answer("provisioning", request, e);
        refuse(
            request,
            response,
            callback,
            new ProvisioningRefusal(ErrorCode.UNAVAILABLE, Unavailable.MESSAGE));
        return;
      }
      String incident = UUID.randomUUID().toString();
      LOG.error(
          "provisioning {} {} failed (incident {})",
          request.getMethod(),
          LogSafe.escape(request.getHttpURI().getPath()),
          incident,
          e);
      refuse(
          request,
          response,
          callback,
          new ProvisioningRefusal(
              ErrorCode.INTERNAL, "internal server error (incident " + incident + ")"));
    }
  }

  private void serve(
      ProvisioningPath path, byte[] body, Request request, Response response, Callback callback)
      throws ProvisioningRefusal {
    if (!request.getMethod().equals(path.kind().method())) {
      throw new ProvisioningRefusal(
          ErrorCode.METHOD_NOT_ALLOWED,
          "method "
              + request.getMethod()
              + " is not allowed on "
              + request.getHttpURI().getPath()
              + "; use "
              + path.kind().method());
    }
    List<X509Certificate> chain = PeerCertificates.of(request);
    String apiVersion = Request.extractQueryParameters(request).getValue("api-version");
    switch (path.kind()) {
      case REGISTER -> {
        // Cheap checks first: scope and the device's certificate before the JSON and its CSR.
        registrar.precheck(path.idScope(), path.registrationId(), chain);
        RegistrationRequest parsed = RegistrationRequest.parse(body, path.registrationId());
        Registrar.Accepted accepted =
            registrar.register(path.idScope(), path.registrationId(), chain, parsed, apiVersion);
        String location =
            "/"
                + path.idScope()
                + "/registrations/"
                + path.registrationId()
                + "/operations/"
                + accepted.operationId()
                + (apiVersion == null ? "" : "?api-version=" + apiVersion);
        json(
            response,
            callback,
            202,
            accepted.answer().toString(),
            new HttpField(HttpHeader.RETRY_AFTER, Integer.toString(RETRY_AFTER_SECONDS)),
            new HttpField(HttpHeader.LOCATION, location));
      }
      case OPERATION -> {
        // a body sent with the GET was read and is ignored
        json(
            response,
            callback,
            200,
            registrar.operation(path.idScope(), path.registrationId(), path.operationId(), chain));
      }
      case STATUS -> {
        json(
            response,
            callback,
            200,
            registrar.status(path.idScope(), path.registrationId(), chain).toString());
      }
    }
  }

  private void refuse(
      Request request, Response response, Callback callback, ProvisioningRefusal r) {
    ErrorCode error = r.error();
    EnrollmentRecord e = r.enrollment();
    meters
        .counter(
            "estuary.provisioning.refusals",
            "kind",
            e == null ? "none" : e.kind().wire(),
            "label",
            e == null || e.certificateLabel() == null ? "none" : e.certificateLabel(),
            "reason",
            error.name(),
            "status",
            Integer.toString(error.status()))
        .increment();
    if (error != ErrorCode.INTERNAL && error != ErrorCode.UNAVAILABLE) {
      LOG.info(
          "provisioning {} {} refused {} {}: {}",
          request.getMethod(),
          LogSafe.escape(request.getHttpURI().getPath()),
          error.status(),
          error.code(),
          LogSafe.escape(r.getMessage()));
    }
    ObjectNode body =
        RegistrationStates.JSON
            .createObjectNode()
            .put("errorCode", error.code())
            .put("trackingId", UUID.randomUUID().toString())
            .put("message", r.getMessage())
            .put("timestampUtc", clock.instant().toString());
    HttpField code = new HttpField("x-ms-error-code", Integer.toString(error.code()));
    HttpField extra =
        switch (error) {
          case METHOD_NOT_ALLOWED -> new HttpField(HttpHeader.ALLOW, allowedMethod(request));
          case UNAVAILABLE -> Unavailable.RETRY_AFTER;
          case THROTTLED ->
              new HttpField(HttpHeader.RETRY_AFTER, Long.toString(r.retryAfterSeconds()));
          default -> null;
        };
    if (extra == null) {
      json(response, callback, error.status(), body.toString(), code);
    } else {
      json(response, callback, error.status(), body.toString(), code, extra);
    }
  }

  private static void json(
      Response response, Callback callback, int status, String body, HttpField... headers) {
    Replies.send(
        response, callback, status, JSON_UTF8, body.getBytes(StandardCharsets.UTF_8), headers);
  }

  private static String allowedMethod(Request request) {
    try {
      return ProvisioningPath.parse(request.getHttpURI().getPath()).kind().method();
    } catch (ProvisioningRefusal e) {
      throw new IllegalStateException("a path refused for its method was parsed before", e);
    }
  }

  /**
   * Reads the whole body, bounded. Not closed: closing a partly read stream fails the request
   * content. An oversized one is refused with Connection: close rather than read to its end.
   */
  private byte[] readBody(Request request, Response response)
      throws IOException, ProvisioningRefusal {
    long declared = request.getLength();
    byte[] body = declared > maxBodyBytes ? null : Replies.body(request, maxBodyBytes);
    if (body == null || body.length > maxBodyBytes) {
      response.getHeaders().put(HttpHeader.CONNECTION, "close");
      throw new ProvisioningRefusal(
          ErrorCode.BODY_TOO_LARGE, "the request body is larger than " + maxBodyBytes + " bytes");
    }
    return body;
  }
}
