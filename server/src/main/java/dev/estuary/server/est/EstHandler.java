package dev.estuary.server.est;

import dev.estuary.pki.CertsOnlyPkcs7;
import dev.estuary.pki.Csr;
import dev.estuary.pki.EstBase64;
import dev.estuary.pki.PkiException;
import dev.estuary.server.audit.AuthFailureTally;
import dev.estuary.server.auth.AuthLimits;
import dev.estuary.server.auth.AuthenticationFailed;
import dev.estuary.server.auth.Caller;
import dev.estuary.server.auth.Credentials;
import dev.estuary.server.auth.FailedAuthLimiter;
import dev.estuary.server.http.LogSafe;
import dev.estuary.server.http.PeerCertificates;
import dev.estuary.server.http.Refusal;
import dev.estuary.server.http.Replies;
import dev.estuary.server.http.StoreWorkers;
import dev.estuary.server.http.Unavailable;
import dev.estuary.server.http.Unreadable;
import dev.estuary.server.issuance.IssuanceService;
import dev.estuary.server.issuance.Issued;
import dev.estuary.server.policy.Denial;
import dev.estuary.server.policy.IssuancePolicy;
import dev.estuary.server.policy.Label;
import dev.estuary.server.policy.LiveLabels;
import dev.estuary.server.store.StoreUnavailable;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
 * The EST protocol (RFC 7030, RFC 8951) over HTTP: translates requests into calls on the labels and
 * the issuance service, and their answers and refusals into exactly the bytes EST clients expect.
 * Blocking; runs on a virtual thread per request.
 */
public final class EstHandler extends Handler.Abstract {
  /** libest and Bouncy Castle compare this literally. */
  public static final String PKCS7_CERTS_ONLY = "application/pkcs7-mime; smime-type=certs-only";

  public static final String CSRATTRS = "application/csrattrs";
  private static final Logger LOG = LoggerFactory.getLogger(EstHandler.class);

  /** The configured label a request named (a request attribute), for the refusal counter. */
  private static final String LABEL_ATTRIBUTE = "estuary.label";

  /** Why a request was refused, when more is known than its status (a request attribute). */
  private static final String REASON_ATTRIBUTE = "estuary.reason";

  private static final HttpField CTE_BASE64 = new HttpField("Content-Transfer-Encoding", "base64");

  /** The labels in force and their cacerts answers, replaced together when the CAs change. */
  private record Served(Map<String, Label> labels, Map<String, byte[]> cacertsBodies) {
    static Served of(Map<String, Label> labels) {
      var bodies = new HashMap<String, byte[]>();
      labels.forEach(
          (name, label) ->
              bodies.put(name, EstBase64.encode(CertsOnlyPkcs7.encode(cacertsOrder(label)))));
      return new Served(labels, Map.copyOf(bodies));
    }
  }

  private volatile Served served;
  private final String defaultLabel;
  private final IssuanceService issuance;
  private final int maxBodyBytes;

  private final MeterRegistry meters;
  private final AuthLimits authLimits;
  private final AuthFailureTally failures;
  private final StoreWorkers workers;

  public EstHandler(
      Map<String, Label> labels,
      String defaultLabel,
      IssuanceService issuance,
      int maxBodyBytes,
      FailedAuthLimiter authLimiter,
      MeterRegistry meters) {
    this(
        new LiveLabels(labels),
        defaultLabel,
        issuance,
        maxBodyBytes,
        new AuthLimits(authLimiter),
        meters,
        null,
        StoreWorkers.inline());
  }

  /**
   * @param authLimits the failed-authentication limits (shared with the DPS handler)
   * @param failures counts failed authentications for the audit log (per address and minute), or
   *     null
   * @param workers where enrollments authenticate and issue (the store's threads)
   */
  public EstHandler(
      LiveLabels labels,
      String defaultLabel,
      IssuanceService issuance,
      int maxBodyBytes,
      AuthLimits authLimits,
      MeterRegistry meters,
      AuthFailureTally failures,
      StoreWorkers workers) {
    this.failures = failures;
    this.workers = Objects.requireNonNull(workers, "workers");
    this.meters = meters;
    this.authLimits = Objects.requireNonNull(authLimits, "authLimits");
    this.defaultLabel = defaultLabel;
    this.issuance = issuance;
    this.maxBodyBytes = maxBodyBytes;
    labels.follow(now -> served = Served.of(now));
  }

  /**
   * The cacerts answer: the root first (the seed's {@code openssl x509} keeps the first certificate
   * and calls it the root), then the label's CAs from the top down; during a rollover also the
   * other root, its link certificates and the CA's earlier generations ({@link
   * Label#caCertificates()}, docs/wire.md).
   */
  static List<X509Certificate> cacertsOrder(Label label) {
    return label.caCertificates();
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    EstPath.Parsed parsed = EstPath.parse(request.getHttpURI().getPath());
    if (parsed == null) {
      return false;
    }
    answer(
        request,
        response,
        callback,
        () -> {
          if (parsed.error() != null) {
            throw new Refusal(404, parsed.error());
          }
          serve(parsed.path(), request, response, callback);
        });
    return true;
  }

  /** A part of serving a request; what it throws is answered by {@link #answer}. */
  private interface Step {
    void run() throws Refusal, IOException;
  }

  /** Runs {@code step}, and answers a refusal, an unreadable request or a failure it throws. */
  private void answer(Request request, Response response, Callback callback, Step step) {
    try {
      step.run();
    } catch (Refusal r) {
      refuse(request, response, callback, r);
    } catch (IOException e) {
      Unreadable.abandon("EST", request, callback, e);
    } catch (Exception | Error e) {
      if (StoreUnavailable.isCause(e)) {
        Unavailable.answer("EST", request, e);
        Replies.text(response, callback, 503, Unavailable.MESSAGE, Unavailable.RETRY_AFTER);
        return;
      }
      String incident = UUID.randomUUID().toString();
      LOG.error(
          "EST {} {} failed (incident {})",
          request.getMethod(),
          LogSafe.escape(request.getHttpURI().getPath()),
          incident,
          e);
      Replies.text(response, callback, 500, "internal server error (incident " + incident + ")");
    }
  }

  private void serve(EstPath path, Request request, Response response, Callback callback)
      throws Refusal, IOException {
    String labelName = path.label() != null ? path.label() : defaultLabel;
    if (labelName == null) {
      throw new Refusal(
          404,
          "this server has no default EST label; use "
              + EstPath.PREFIX
              + "/{label}/"
              + path.operation()
              + " with one of: "
              + knownLabels());
    }
    Served now = served;
    Label label = now.labels().get(labelName);
    if (label == null) {
      throw new Refusal(
          404, "unknown EST label '" + labelName + "'; known labels: " + knownLabels());
    }
    request.setAttribute(LABEL_ATTRIBUTE, labelName);
    switch (path.operation()) {
      case "cacerts" -> {
        requireMethod(request, "GET");
        Replies.send(
            response,
            callback,
            200,
            PKCS7_CERTS_ONLY,
            now.cacertsBodies().get(labelName),
            CTE_BASE64);
      }
      case "csrattrs" -> {
        requireMethod(request, "GET");
        if (label.csrAttributes() == null) {
          Replies.send(response, callback, 204, null, new byte[0]);
        } else {
          Replies.send(
              response,
              callback,
              200,
              CSRATTRS,
              EstBase64.encode(label.csrAttributes()),
              CTE_BASE64);
        }
      }
      case "simpleenroll", "simplereenroll" -> {
        requireMethod(request, "POST");
        IssuancePolicy.Operation op =
            path.operation().equals("simpleenroll")
                ? IssuancePolicy.Operation.ENROLL
                : IssuancePolicy.Operation.REENROLL;
        requirePkcs10(request);
        long declared = request.getLength();
        if (declared > maxBodyBytes) {
          throw new Refusal(
              413,
              "the request body is "
                  + declared
                  + " bytes; at most "
                  + maxBodyBytes
                  + " are accepted");
        }
        // Before the body is read or a store worker is taken: the failed-authentication limits.
        String address = Request.getRemoteAddr(request);
        String credentialId = credentialId(request);
        Duration wait = authLimits.waitFor(address, credentialId);
        if (!wait.isZero()) {
          long seconds = AuthLimits.retryAfterSeconds(wait);
          throw new HeaderRefusal(
              429,
              "too many failed authentications from " + address + "; retry in " + seconds + " s",
              new HttpField(HttpHeader.RETRY_AFTER, Long.toString(seconds)));
        }
        // Read here, on the request's own thread: a client sending its body slowly holds no
        // store worker.
        byte[] body = readBody(request);
        workers.execute(
            () ->
                answer(
                    request,
                    response,
                    callback,
                    () ->
                        enroll(
                            label, op, address, credentialId, body, request, response, callback)),
            () -> {
              Unavailable.busy("EST", request, workers.waiting());
              Replies.text(response, callback, 503, Unavailable.BUSY, Unavailable.RETRY_AFTER);
            });
      }
      default ->
          throw new Refusal(
              501, "EST operation '" + path.operation() + "' is not offered by this server");
    }
  }

  /**
   * An enrollment after the cheap checks, with its body read: authenticates the caller, parses the
   * CSR and issues (on a store worker).
   */
  private void enroll(
      Label label,
      IssuancePolicy.Operation op,
      String address,
      String credentialId,
      byte[] body,
      Request request,
      Response response,
      Callback callback)
      throws Refusal {
    Caller caller;
    try {
      caller = label.authenticate(credentials(request));
    } catch (AuthenticationFailed f) {
      if (failures != null) {
        failures.failed("est", address, f.reason());
      }
      // Only a wrong secret or password or a certificate from no trusted issuer counts: a right
      // one that is used up (the losers of a race for its last use), expired or disabled is no
      // guess.
      if (f.wrongCredentials()) {
        authLimits.failed(address, credentialId);
      }
      request.setAttribute(
          REASON_ATTRIBUTE, f.wrongCredentials() ? "WRONG_CREDENTIALS" : "UNAUTHENTICATED");
      throw Refusal.unauthorized(f.reason());
    }
    Csr csr;
    try {
      // The key is checked against the label's policy before the signature is verified.
      csr = Csr.parse(EstBase64.decode(body), label.keyPolicy(), issuance.signatures());
    } catch (PkiException e) {
      request.setAttribute(REASON_ATTRIBUTE, Denial.Reason.BAD_CSR.name());
      throw Refusal.badRequest(e.getMessage());
    }
    Issued issued;
    try {
      issued = issuance.enroll(label, caller, csr, op);
    } catch (Denial d) {
      request.setAttribute(REASON_ATTRIBUTE, d.reason().name());
      throw new Refusal(statusOf(d.reason()), d.getMessage());
    }
    Replies.send(
        response, callback, 200, PKCS7_CERTS_ONLY, EstBase64.encode(issued.pkcs7()), CTE_BASE64);
  }

  /** The EST answer to each of the policy's reasons. */
  static int statusOf(Denial.Reason reason) {
    return switch (reason) {
      case BAD_CSR, KEY_NOT_ALLOWED -> 400;
      case CREDENTIAL_USED_UP -> 401;
      case CA_NOT_ALLOWED,
          NOT_A_RENEWAL,
          NAME_NOT_ALLOWED,
          NAME_BOUND,
          IDENTITY_BOUND,
          NAME_MISMATCH ->
          403;
    };
  }

  /**
   * The reason tag of a refusal that is not the policy's nor a failed authentication: named by its
   * status (a fixed set, so a scanner makes no new series).
   */
  static String reasonOf(int status) {
    return switch (status) {
      case 400 -> "BAD_REQUEST";
      case 401 -> "UNAUTHENTICATED";
      case 404 -> "NOT_FOUND";
      case 405 -> "METHOD_NOT_ALLOWED";
      case 413 -> "TOO_LARGE";
      case 415 -> "UNSUPPORTED_MEDIA_TYPE";
      case 429 -> "RATE_LIMITED";
      case 501 -> "NOT_IMPLEMENTED";
      default -> "OTHER";
    };
  }

  private String knownLabels() {
    return String.join(", ", served.labels().keySet().stream().sorted().toList());
  }

  private void refuse(Request request, Response response, Callback callback, Refusal r) {
    Object label = request.getAttribute(LABEL_ATTRIBUTE);
    Object reason = request.getAttribute(REASON_ATTRIBUTE);
    meters
        .counter(
            "estuary.est.refusals",
            "label",
            label == null ? "none" : label.toString(),
            "reason",
            reason == null ? reasonOf(r.status()) : reason.toString(),
            "status",
            Integer.toString(r.status()))
        .increment();
    LOG.info(
        "EST {} {} refused {}: {}",
        request.getMethod(),
        LogSafe.escape(request.getHttpURI().getPath()),
        r.status(),
        LogSafe.escape(r.reason()));
    Replies.drain(request, response, DRAIN_LIMIT);
    if (r.status() == 401) {
      HttpField challenge = challengeFor(request);
      boolean presentedNothing = !presentedCredentials(request);
      if (presentedNothing && challenge != null) {
        // A bare challenge: Bouncy Castle's and libest's clients retry with Basic after it, and
        // Bouncy Castle's fails if the 401 carries a body it does not read.
        Replies.send(response, callback, 401, null, new byte[0], challengeOrNone(challenge));
        return;
      }
      Replies.text(response, callback, 401, r.reason(), challengeOrNone(challenge));
      return;
    }
    if (r instanceof HeaderRefusal h) {
      Replies.text(response, callback, r.status(), r.reason(), h.header);
      return;
    }
    Replies.text(response, callback, r.status(), r.reason());
  }

  /**
   * The most of an unread request body read and dropped before a refusal ({@link Replies#drain}).
   */
  private static final long DRAIN_LIMIT = 1 << 20;

  private HttpField challengeFor(Request request) {
    EstPath.Parsed parsed = EstPath.parse(request.getHttpURI().getPath());
    String name = parsed.path().label() != null ? parsed.path().label() : defaultLabel;
    Label label = served.labels().get(name);
    if (label != null && label.acceptsBasic()) {
      return new HttpField(
          HttpHeader.WWW_AUTHENTICATE, "Basic realm=\"estuary " + name + "\", charset=\"UTF-8\"");
    }
    return null;
  }

  private static HttpField[] challengeOrNone(HttpField challenge) {
    return challenge == null ? new HttpField[0] : new HttpField[] {challenge};
  }

  /** A refusal whose answer carries one more header (Allow on 405, Retry-After on 429). */
  private static final class HeaderRefusal extends Refusal {
    final HttpField header;

    HeaderRefusal(int status, String reason, HttpField header) {
      super(status, reason);
      this.header = header;
    }
  }

  /**
   * Which credential a request names (not its secret part): the secret id, the Basic user, or the
   * client certificate.
   */
  private static String credentialId(Request request) {
    String secret = request.getHeaders().get("Secret-Value");
    if (secret != null) {
      int dot = secret.indexOf('.');
      return "secret:" + (dot > 0 ? secret.substring(0, Math.min(dot, 64)).strip() : "?");
    }
    String authorization = request.getHeaders().get(HttpHeader.AUTHORIZATION);
    if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
      try {
        String decoded =
            new String(
                Base64.getDecoder().decode(authorization.substring(6).strip()),
                StandardCharsets.UTF_8);
        int colon = decoded.indexOf(':');
        return "basic:" + (colon < 0 ? "?" : decoded.substring(0, Math.min(colon, 64)));
      } catch (IllegalArgumentException e) {
        return "basic:?";
      }
    }
    return AuthLimits.certificateId(PeerCertificates.of(request));
  }

  private static boolean presentedCredentials(Request request) {
    return request.getHeaders().get(HttpHeader.AUTHORIZATION) != null
        || request.getHeaders().get("Secret-Value") != null
        || !PeerCertificates.of(request).isEmpty();
  }

  private static void requireMethod(Request request, String method) throws Refusal {
    if (!request.getMethod().equals(method)) {
      throw new HeaderRefusal(
          405,
          "method " + request.getMethod() + " is not allowed here; use " + method,
          new HttpField(HttpHeader.ALLOW, method));
    }
  }

  private static void requirePkcs10(Request request) throws Refusal {
    String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
    if (type == null) {
      return; // lenient: the body is always treated as base64 PKCS#10
    }
    String base = type.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
    if (!base.equals("application/pkcs10")) {
      throw new Refusal(
          415,
          "Content-Type '"
              + type
              + "' is not accepted; send application/pkcs10 (base64 DER PKCS#10)");
    }
  }

  private byte[] readBody(Request request) throws IOException, Refusal {
    byte[] body = Replies.body(request, maxBodyBytes);
    if (body.length > maxBodyBytes) {
      throw new Refusal(413, "the request body is larger than " + maxBodyBytes + " bytes");
    }
    return body;
  }

  private static Credentials credentials(Request request) throws Refusal {
    String secret = request.getHeaders().get("Secret-Value");
    String user = null;
    String password = null;
    String authorization = request.getHeaders().get(HttpHeader.AUTHORIZATION);
    if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
      String decoded;
      try {
        decoded =
            new String(
                Base64.getDecoder().decode(authorization.substring(6).strip()),
                StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw Refusal.unauthorized("the Authorization header's Basic credentials are not base64");
      }
      int colon = decoded.indexOf(':');
      if (colon < 0) {
        throw Refusal.unauthorized(
            "the Authorization header's Basic credentials have no ':' between user and password");
      }
      user = decoded.substring(0, colon);
      password = decoded.substring(colon + 1);
    }
    return new Credentials(secret, user, password, PeerCertificates.of(request));
  }
}
