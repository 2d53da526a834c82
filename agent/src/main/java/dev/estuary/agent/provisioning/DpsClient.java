package dev.estuary.agent.provisioning;

import dev.estuary.agent.est.EstIdentity;
import dev.estuary.agent.est.RetryAfter;
import dev.estuary.agent.json.JsonException;
import dev.estuary.agent.json.JsonObject;
import dev.estuary.agent.net.Https;
import dev.estuary.agent.net.TlsContexts;
import dev.estuary.agent.text.Printable;
import dev.estuary.pki.Thumbprints;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;

/**
 * The device side of the DPS protocol with X.509 attestation (docs/wire.md, "Provisioning"): {@code
 * PUT …/register}, then {@code GET …/operations/{id}} until the operation is assigned or failed,
 * honouring {@code Retry-After}. Authentication is the device identity certificate alone; its CN is
 * the registration id. Works against Estuary and against Azure's service alike.
 */
public final class DpsClient {
  /** The api-version sent; any is accepted by Estuary, this one by Azure too. */
  public static final String API_VERSION = "2021-10-01";

  /** The shortest and longest wait between polls, whatever {@code Retry-After} says. */
  static final Duration MIN_POLL = Duration.ofSeconds(1);

  static final Duration MAX_POLL = Duration.ofSeconds(10);

  /** How long one registration may keep polling before it counts as failed. */
  static final Duration MAX_ASSIGNING = Duration.ofMinutes(2);

  /** The largest answer read: registration states are a few kilobytes (with an issued chain). */
  static final int MAX_ANSWER_BYTES = 1 << 20;

  private final Supplier<List<X509Certificate>> trust;
  private final Duration timeout;
  private final Clock clock;
  private final Sleeper sleeper;
  private final TlsContexts tls;

  /** Waits between polls. */
  @FunctionalInterface
  private interface Sleeper {
    void sleep(Duration d) throws InterruptedException;
  }

  /** With the roots trusted at each request (a root key update may add one). */
  public DpsClient(Supplier<List<X509Certificate>> trust, Duration timeout, Clock clock) {
    this(trust, timeout, clock, new TlsContexts());
  }

  /**
   * @param tls the agent's TLS contexts, shared with its EST client: the PUT and the polls resume
   *     the TLS session of the device identity's last connection
   */
  public DpsClient(
      Supplier<List<X509Certificate>> trust, Duration timeout, Clock clock, TlsContexts tls) {
    this(trust, timeout, clock, d -> Thread.sleep(d.toMillis()), tls);
  }

  private DpsClient(
      Supplier<List<X509Certificate>> trust,
      Duration timeout,
      Clock clock,
      Sleeper sleeper,
      TlsContexts tls) {
    this.tls = Objects.requireNonNull(tls, "tls");
    this.trust = Objects.requireNonNull(trust, "trust");
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
  }

  /**
   * Registers {@code registrationId} with the certificate of {@code device} and waits for the
   * assignment.
   */
  public Assignment register(
      URI endpoint, String idScope, String registrationId, EstIdentity device) throws DpsException {
    SSLContext tls = tls(device);
    String base = base(endpoint, idScope, registrationId);
    JsonObject body = new JsonObject().put("registrationId", registrationId);
    URI put = URI.create(base + "/register?api-version=" + API_VERSION);
    HttpResponse<byte[]> answer = exchange(tls, "PUT", put, body);
    JsonObject json = json("PUT " + put, answer);
    Instant deadline = clock.instant().plus(MAX_ASSIGNING);
    while (true) {
      String status = json.text("status", "");
      if (status.equals("assigned")) {
        return assignment("PUT " + put, json.object("registrationState"), registrationId);
      }
      if (!status.equals("assigning")) {
        JsonObject state = json.object("registrationState");
        int code = errorCode(state);
        throw new DpsException(
            "registration "
                + registrationId
                + " "
                + (status.isEmpty() ? "answered without a status" : Printable.of(status))
                + errorOf(code, state.text("errorMessage", "")),
            true,
            code,
            null,
            null);
      }
      String operationId = json.text("operationId", "");
      if (operationId.isEmpty()) {
        throw new DpsException(
            "PUT " + put + ": 'assigning' without an operationId", false, 0, null, null);
      }
      if (clock.instant().isAfter(deadline)) {
        throw new DpsException(
            "registration "
                + registrationId
                + " still assigning after "
                + MAX_ASSIGNING.toSeconds()
                + " s",
            false,
            0,
            null,
            null);
      }
      pause(answer);
      URI get =
          URI.create(base + "/operations/" + encode(operationId) + "?api-version=" + API_VERSION);
      answer = exchange(tls, "GET", get, null);
      json = json("GET " + get, answer);
    }
  }

  private void pause(HttpResponse<?> answer) throws DpsException {
    Duration wait =
        RetryAfter.parse(answer.headers().firstValue("Retry-After"), clock.instant())
            .orElse(Duration.ofSeconds(3));
    wait = wait.compareTo(MIN_POLL) < 0 ? MIN_POLL : wait.compareTo(MAX_POLL) > 0 ? MAX_POLL : wait;
    try {
      sleeper.sleep(wait);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DpsException("interrupted while waiting for the assignment", false, 0, null, e);
    }
  }

  private SSLContext tls(EstIdentity device) throws DpsException {
    if (!device.hasCertificate()) {
      throw new IllegalArgumentException("X.509 attestation needs the device identity certificate");
    }
    try {
      return tls.context(trust.get(), device.chain(), device.key());
    } catch (GeneralSecurityException e) {
      throw new DpsException("cannot set up TLS: " + e.getMessage(), false, 0, null, e);
    }
  }

  private HttpResponse<byte[]> exchange(SSLContext context, String method, URI uri, JsonObject body)
      throws DpsException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri)
            .timeout(timeout)
            .header("Accept", "application/json")
            .header("Content-Type", "application/json; charset=utf-8");
    try {
      request.method(
          method,
          body == null
              ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
      return Https.send(tls, context, timeout, request.build(), MAX_ANSWER_BYTES);
    } catch (Https.NoAnswer e) {
      throw new DpsException(method + " " + uri + ": " + e.getMessage(), false, 0, null, e);
    } catch (Https.TooLarge e) {
      throw new DpsException(method + " " + uri + ": " + e.getMessage(), false, 0, null, e);
    }
  }

  private JsonObject json(String what, HttpResponse<byte[]> answer) throws DpsException {
    int status = answer.statusCode();
    JsonObject json;
    try {
      json = JsonObject.parse(answer.body());
    } catch (JsonException e) {
      json = null;
    }
    if (status == 200 || status == 202) {
      if (json == null) {
        throw new DpsException(
            what + ": " + status + " without a JSON object", false, 0, null, null);
      }
      return json;
    }
    int code = json == null ? 0 : errorCode(json);
    String message = json == null ? "" : json.text("message", "");
    throw new DpsException(
        what + ": " + status + errorOf(code, message),
        status < 500 && status != 429,
        code,
        RetryAfter.parse(answer.headers().firstValue("Retry-After"), clock.instant()).orElse(null),
        null);
  }

  /** DPS error codes are six-digit numbers (401002); anything else reads as none. */
  private static int errorCode(JsonObject o) {
    long code = o.number("errorCode", 0);
    return code > 0 && code <= Integer.MAX_VALUE ? (int) code : 0;
  }

  private static String errorOf(int code, String message) {
    return (code == 0 ? "" : " " + code)
        + (message.isEmpty()
            ? ""
            : " "
                + Printable.of(message.length() > 200 ? message.substring(0, 200) + "…" : message));
  }

  private static Assignment assignment(String what, JsonObject state, String registrationId)
      throws DpsException {
    String hub = state.text("assignedHub", "");
    String deviceId = state.text("deviceId", "");
    if (hub.isEmpty() || deviceId.isEmpty()) {
      throw new DpsException(
          what + ": 'assigned' without assignedHub and deviceId", false, 0, null, null);
    }
    return new Assignment(
        registrationId,
        hub,
        deviceId,
        state.text("substatus", ""),
        state
            .object("x509")
            .object("certificateInfo")
            .text("sha256Thumbprint", "")
            .toUpperCase(Locale.ROOT),
        state.text("lastUpdatedDateTimeUtc", ""));
  }

  private static String base(URI endpoint, String idScope, String registrationId) {
    String s = endpoint.toString();
    while (s.endsWith("/")) {
      s = s.substring(0, s.length() - 1);
    }
    return s + "/" + encode(idScope) + "/registrations/" + encode(registrationId);
  }

  private static String encode(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** The thumbprint the service reports for {@code leaf}: upper-case hex SHA-256. */
  public static String thumbprint(X509Certificate leaf) {
    return Thumbprints.sha256(leaf).toUpperCase(Locale.ROOT);
  }
}
