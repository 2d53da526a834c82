package dev.estuary.agent.est;

import dev.estuary.agent.net.Https;
import dev.estuary.agent.net.TlsContexts;
import dev.estuary.agent.text.Printable;
import dev.estuary.pki.CertsOnlyPkcs7;
import dev.estuary.pki.EstBase64;
import dev.estuary.pki.PkiException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;

/**
 * The EST operations a device needs (RFC 7030 §4.1 and §4.2): {@code cacerts} and {@code
 * simpleenroll}, spoken as the Azure identity service speaks them: no {@code Accept} header, Basic
 * on every request when configured, a renewal is a {@code simpleenroll} authenticated with the
 * certificate being renewed. HTTP/1.1 over TLS 1.2 or 1.3; the server's certificate must chain to
 * the given trust anchors and match the URL's host.
 *
 * <p>Every failure comes back as an {@link EstException} whose message is one line naming the
 * request and what went wrong; passwords and keys never appear in it.
 */
public final class EstClient {

  /** The largest answer read; EST answers are a few kilobytes. */
  static final int MAX_ANSWER_BYTES = 1 << 20;

  /**
   * The most certificates one answer may hold (an issued certificate and its chain, or cacerts).
   */
  public static final int MAX_CERTIFICATES = 10;

  private final Supplier<List<X509Certificate>> trust;
  private final Duration timeout;
  private final Clock clock;
  private final TlsContexts tls;

  /**
   * @param trust the roots the EST server's TLS certificate must chain to
   * @param timeout the longest wait for a connection, and then for the answer
   * @param clock for {@code Retry-After} given as a date
   */
  public EstClient(Collection<X509Certificate> trust, Duration timeout, Clock clock) {
    this(constant(trust), timeout, clock);
  }

  /**
   * @param trust the roots trusted at the moment of each request (a root key update adds one: see
   *     {@code TrustStore})
   */
  public EstClient(Supplier<List<X509Certificate>> trust, Duration timeout, Clock clock) {
    this(trust, timeout, clock, new TlsContexts());
  }

  /**
   * @param tls the agent's TLS contexts, shared with its provisioning client: a connection with an
   *     identity used before resumes that identity's TLS session
   */
  public EstClient(
      Supplier<List<X509Certificate>> trust, Duration timeout, Clock clock, TlsContexts tls) {
    this.tls = Objects.requireNonNull(tls, "tls");
    this.trust = Objects.requireNonNull(trust, "trust");
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    this.clock = Objects.requireNonNull(clock, "clock");
    if (trust.get().isEmpty()) {
      throw new IllegalArgumentException("no trust anchors for the EST server");
    }
  }

  private static Supplier<List<X509Certificate>> constant(Collection<X509Certificate> trust) {
    List<X509Certificate> copy = List.copyOf(trust);
    return () -> copy;
  }

  /**
   * The roots the EST server's TLS certificate must chain to (also what issued certificates must
   * chain to).
   */
  public List<X509Certificate> trustAnchors() {
    return trust.get();
  }

  /**
   * Closes the connections the requests so far left open (they are kept for the next request with
   * the same identity: {@link TlsContexts}); the next request opens a new one, and behind a load
   * balancer may reach another replica.
   */
  public void closeConnections() {
    tls.closeConnections();
  }

  /** {@code GET {base}/cacerts}: the CA certificates of the label, in the server's order. */
  public List<X509Certificate> caCerts(URI base, EstIdentity who) throws EstException {
    return certificates(send(operation(base, "cacerts"), who, null));
  }

  /**
   * {@code GET {base}/cacerts}, with the server's clock ({@code Date}) as well, for {@code estuary
   * agent check}.
   */
  public Probe probe(URI base, EstIdentity who) throws EstException {
    Answer answer = send(operation(base, "cacerts"), who, null);
    return new Probe(certificates(answer), answer.date());
  }

  /**
   * What {@link #probe} found.
   *
   * @param caCerts the label's CA certificates
   * @param serverDate the server's {@code Date} header, if it sent one
   */
  public record Probe(List<X509Certificate> caCerts, Optional<Instant> serverDate) {}

  /**
   * {@code POST {base}/simpleenroll} with {@code csrDer}: the issued certificate first, then any
   * chain the server adds (RFC 7030 §4.2.3 sends the issued certificate alone; servers that add the
   * chain are common). Nothing here is checked beyond parsing: see {@code IssuedCertificateCheck}.
   */
  public List<X509Certificate> simpleEnroll(URI base, byte[] csrDer, EstIdentity who)
      throws EstException {
    return certificates(send(operation(base, "simpleenroll"), who, csrDer, null));
  }

  /**
   * {@code POST {base}/simpleenroll} authenticated (also) with a bootstrap secret, sent as the
   * seed's curl sends it: {@code Secret-Value: <secret>}. The factory line's enrollment ({@code
   * estuary factory idevid}); the secret never appears in an exception's message.
   */
  public List<X509Certificate> simpleEnroll(
      URI base, byte[] csrDer, EstIdentity who, String secretValue) throws EstException {
    Objects.requireNonNull(secretValue, "secretValue");
    return certificates(send(operation(base, "simpleenroll"), who, csrDer, secretValue));
  }

  /** {@code base} + {@code /op}, whatever trailing slashes {@code base} has. */
  static URI operation(URI base, String op) {
    String s = base.toString();
    int end = s.length();
    while (end > 0 && s.charAt(end - 1) == '/') {
      end--;
    }
    return URI.create(s.substring(0, end) + "/" + op);
  }

  private Answer send(URI uri, EstIdentity who, byte[] csrDer) throws EstException {
    return send(uri, who, csrDer, null);
  }

  private Answer send(URI uri, EstIdentity who, byte[] csrDer, String secretValue)
      throws EstException {
    String what = (csrDer == null ? "GET " : "POST ") + uri;
    SSLContext context;
    try {
      context = tls.context(trust.get(), who.hasCertificate() ? who.chain() : null, who.key());
    } catch (GeneralSecurityException e) {
      throw new EstException(
          EstException.Kind.UNREACHABLE,
          0,
          what + ": cannot set up TLS: " + e.getMessage(),
          null,
          e);
    }
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout);
    who.basic()
        .ifPresent(
            b ->
                request.header(
                    "Authorization",
                    "Basic "
                        + Base64.getEncoder()
                            .encodeToString(
                                (b.username() + ":" + b.password())
                                    .getBytes(StandardCharsets.UTF_8))));
    if (secretValue != null) {
      request.header("Secret-Value", secretValue);
    }
    if (csrDer == null) {
      request.GET();
    } else {
      request
          .header("Content-Type", "application/pkcs10")
          .POST(HttpRequest.BodyPublishers.ofByteArray(EstBase64.encode(csrDer)));
    }
    try {
      return check(what, Https.send(tls, context, timeout, request.build(), MAX_ANSWER_BYTES));
    } catch (Https.NoAnswer e) {
      throw new EstException(
          EstException.Kind.UNREACHABLE, 0, what + ": " + e.getMessage(), null, e);
    } catch (Https.TooLarge e) {
      throw new EstException(
          EstException.Kind.BAD_RESPONSE,
          0,
          what + ": " + e.getMessage() + "; EST answers are a few kilobytes",
          null,
          e);
    }
  }

  private Answer check(String what, HttpResponse<byte[]> response) throws EstException {
    int status = response.statusCode();
    byte[] body = response.body() == null ? new byte[0] : response.body();
    if (status == 200) {
      String type = response.headers().firstValue("Content-Type").orElse("");
      if (!type.toLowerCase(Locale.ROOT).startsWith("application/pkcs7-mime")) {
        throw new EstException(
            EstException.Kind.BAD_RESPONSE,
            status,
            what + ": 200 with Content-Type '" + type + "', not application/pkcs7-mime",
            null,
            null);
      }
      return new Answer(what, body, Https.date(response));
    }
    Duration retryAfter =
        RetryAfter.parse(response.headers().firstValue("Retry-After"), clock.instant())
            .orElse(null);
    String reason = what + ": " + status + reasonOf(body);
    EstException.Kind kind;
    if (status == 429) {
      kind = EstException.Kind.RATE_LIMITED;
    } else if (status == 202) {
      kind = EstException.Kind.RATE_LIMITED;
      reason = what + ": 202, the request awaits approval on the server";
    } else if (status >= 500) {
      kind = EstException.Kind.SERVER_ERROR;
    } else if (status >= 400) {
      kind = EstException.Kind.REFUSED;
    } else {
      kind = EstException.Kind.BAD_RESPONSE;
    }
    throw new EstException(kind, status, reason, retryAfter, null);
  }

  private static List<X509Certificate> certificates(Answer answer) throws EstException {
    try {
      List<X509Certificate> certs =
          CertsOnlyPkcs7.decode(EstBase64.decode(answer.body()), MAX_CERTIFICATES);
      if (certs.isEmpty()) {
        throw new PkiException("no certificate in the answer");
      }
      return certs;
    } catch (PkiException e) {
      throw new EstException(
          EstException.Kind.BAD_RESPONSE,
          200,
          answer.what() + ": unusable answer: " + e.getMessage(),
          null,
          e);
    }
  }

  /** ": first line of the text/plain reason", cleaned of control characters and cut at 200. */
  static String reasonOf(byte[] body) {
    if (body.length == 0) {
      return "";
    }
    String text = new String(body, 0, Math.min(body.length, 400), StandardCharsets.UTF_8).strip();
    int nl = text.indexOf('\n');
    if (nl >= 0) {
      text = text.substring(0, nl).strip();
    }
    text = Printable.of(text.replaceAll("\\p{Cntrl}", "?"));
    if (text.length() > 200) {
      text = text.substring(0, 200) + "…";
    }
    return text.isEmpty() ? "" : " " + text;
  }

  private record Answer(String what, byte[] body, Optional<Instant> date) {}
}
