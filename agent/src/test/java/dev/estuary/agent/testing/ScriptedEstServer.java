package dev.estuary.agent.testing;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import dev.estuary.pki.CertsOnlyPkcs7;
import dev.estuary.pki.Csr;
import dev.estuary.pki.EstBase64;
import dev.estuary.pki.PkiException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/**
 * An EST server for tests: the JDK's {@link HttpsServer} on 127.0.0.1 with a certificate from a
 * {@link TestCa}, answering each request with the next {@linkplain #then scripted} answer and, once
 * the script is used up, with the {@linkplain #always standing} one (500 until a test sets it). It
 * asks for a client certificate without requiring one, accepts any, and records every request as it
 * arrived, with the client certificate presented.
 */
public final class ScriptedEstServer implements AutoCloseable {
  private static final long HANG_LIMIT_SECONDS = 30;
  private static final int STALLED_BYTES = 1000;
  private static final Answer NOT_SCRIPTED =
      r -> Response.text(500, "no answer scripted for " + r.method() + " " + r.uri());

  private final HttpsServer server;
  private final ExecutorService executor =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "scripted-est");
            t.setDaemon(true);
            return t;
          });
  private final ConcurrentLinkedDeque<Answer> script = new ConcurrentLinkedDeque<>();
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final CountDownLatch closed = new CountDownLatch(1);
  private volatile Answer standing = NOT_SCRIPTED;

  private ScriptedEstServer(TestCa.ServerIdentity identity)
      throws IOException, GeneralSecurityException {
    server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setHttpsConfigurator(
        new HttpsConfigurator(identity.context(new TrustManager[] {new AnyClient()})) {
          @Override
          public void configure(HttpsParameters params) {
            SSLParameters p = getSSLContext().getDefaultSSLParameters();
            p.setWantClientAuth(true);
            params.setSSLParameters(p);
          }
        });
    server.createContext("/", this::handle);
    server.setExecutor(executor);
    server.start();
  }

  /** A server for 127.0.0.1 with a TLS certificate from {@code ca}. */
  public static ScriptedEstServer start(TestCa ca) throws IOException, GeneralSecurityException {
    return start(ca.server());
  }

  /** A server presenting {@code identity} (for a hostname mismatch, say). */
  public static ScriptedEstServer start(TestCa.ServerIdentity identity)
      throws IOException, GeneralSecurityException {
    return new ScriptedEstServer(identity);
  }

  /** {@code https://127.0.0.1:<port>/.well-known/est}, without a trailing slash. */
  public URI base() {
    return URI.create("https://127.0.0.1:" + server.getAddress().getPort() + "/.well-known/est");
  }

  /** {@link #base()} with a label: {@code …/.well-known/est/<label>}. */
  public URI base(String label) {
    return URI.create(base() + "/" + label);
  }

  /** Answers the next request not yet scripted with {@code answer}. */
  public ScriptedEstServer then(Answer answer) {
    script.add(answer);
    return this;
  }

  /** Answers every request after the script with {@code answer}. */
  public ScriptedEstServer always(Answer answer) {
    standing = answer;
    return this;
  }

  /** Forgets the script, the standing answer and the requests: as good as a new server. */
  public void reset() {
    script.clear();
    standing = NOT_SCRIPTED;
    requests.clear();
  }

  /** Every request so far, in the order they arrived. */
  public List<Request> requests() {
    return List.copyOf(requests);
  }

  /** The only request so far; fails when there were none or several. */
  public Request onlyRequest() {
    List<Request> all = requests();
    if (all.size() != 1) {
      throw new AssertionError("expected exactly one request, got " + all.size() + ": " + all);
    }
    return all.get(0);
  }

  /** An answer that never comes: the handler waits until the server is closed (or 30 s). */
  public Answer hanging() {
    return r -> {
      awaitClose();
      return Response.text(503, "unreachable");
    };
  }

  /**
   * An enrollment answer: parses the request's CSR (checking its signature) and answers with the
   * certificate {@code issue} makes for the CSR's key.
   */
  public static Answer enrolling(Function<SubjectPublicKeyInfo, X509Certificate> issue) {
    return r -> Response.certs(issue.apply(r.csr().publicKeyInfo()));
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      Request request =
          new Request(
              exchange.getRequestMethod(),
              exchange.getRequestURI(),
              copy(exchange.getRequestHeaders()),
              exchange.getRequestBody().readAllBytes(),
              clientCertificate((HttpsExchange) exchange),
              ((HttpsExchange) exchange).getSSLSession().getCreationTime(),
              exchange.getRemoteAddress().getPort());
      requests.add(request);
      Answer answer = script.poll();
      Response response;
      try {
        response = (answer == null ? standing : answer).to(request);
      } catch (Exception e) {
        response = Response.text(500, "scripted answer failed: " + e);
      }
      response.headers().forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
      byte[] body = response.body();
      long declared = response.stalls() ? body.length + STALLED_BYTES : body.length;
      exchange.sendResponseHeaders(response.status(), declared == 0 ? -1 : declared);
      if (declared > 0) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
          out.flush();
          if (response.stalls()) {
            awaitClose();
            return;
          }
        }
      }
    }
  }

  private void awaitClose() throws IOException {
    try {
      closed.await(HANG_LIMIT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    throw new IOException("stalled answer abandoned"); // the declared length was never sent
  }

  private static Headers copy(Headers headers) {
    Headers copy = new Headers();
    copy.putAll(headers);
    return copy;
  }

  private static Optional<X509Certificate> clientCertificate(HttpsExchange exchange) {
    try {
      return Optional.of((X509Certificate) exchange.getSSLSession().getPeerCertificates()[0]);
    } catch (SSLPeerUnverifiedException e) {
      return Optional.empty();
    }
  }

  @Override
  public void close() {
    closed.countDown();
    server.stop(0);
    executor.shutdownNow();
  }

  /**
   * One request as it arrived.
   *
   * @param headers the request headers (names are case-insensitive)
   * @param clientCertificate the TLS client certificate presented, if any
   * @param tlsSessionCreated when the TLS session of the request's connection was made (epoch
   *     milliseconds): a connection that resumed a session carries that session's time
   * @param clientPort the client's port: requests over one connection share it
   */
  public record Request(
      String method,
      URI uri,
      Headers headers,
      byte[] body,
      Optional<X509Certificate> clientCertificate,
      long tlsSessionCreated,
      int clientPort) {

    /** The first value of header {@code name}, if sent. */
    public Optional<String> header(String name) {
      return Optional.ofNullable(headers.getFirst(name));
    }

    /** The body as the CSR it carries: base64 decoded, parsed and its signature checked. */
    public Csr csr() throws PkiException {
      return Csr.parse(EstBase64.decode(body));
    }
  }

  /**
   * One answer to send.
   *
   * @param headers response headers, in order
   * @param body the body; empty for none
   * @param stalls whether the server, after {@code body}, stops short of the length it declared and
   *     keeps the connection open until it is closed
   */
  public record Response(int status, Map<String, String> headers, byte[] body, boolean stalls) {
    /** The EST media type of {@code cacerts} and enrollment answers. */
    public static final String CERTS_ONLY = "application/pkcs7-mime; smime-type=certs-only";

    public Response {
      headers = Map.copyOf(headers);
    }

    /** An answer sent in full. */
    public Response(int status, Map<String, String> headers, byte[] body) {
      this(status, headers, body, false);
    }

    /**
     * 200 with {@code certs} as EST sends them: base64 (64-column lines) of a certs-only PKCS#7.
     */
    public static Response certs(X509Certificate... certs) {
      return ok(CERTS_ONLY, EstBase64.encode(CertsOnlyPkcs7.encode(List.of(certs))));
    }

    /** 200 with {@code body} of type {@code contentType}. */
    public static Response ok(String contentType, byte[] body) {
      return new Response(200, Map.of("Content-Type", contentType), body);
    }

    /** {@code status} with a text/plain reason (RFC 8951), or no body for an empty one. */
    public static Response text(int status, String reason) {
      return new Response(
          status,
          Map.of("Content-Type", "text/plain; charset=utf-8"),
          reason.getBytes(StandardCharsets.UTF_8));
    }

    /** This answer with one more header. */
    public Response with(String name, String value) {
      Map<String, String> more = new LinkedHashMap<>(headers);
      more.put(name, value);
      return new Response(status, more, body, stalls);
    }

    /** This answer's headers and the start of its body, and then nothing more. */
    public Response stalling() {
      return new Response(status, headers, body, true);
    }
  }

  /** What the server answers to one request. */
  @FunctionalInterface
  public interface Answer {
    Response to(Request request) throws Exception;

    /** Always {@code response}. */
    static Answer with(Response response) {
      return r -> response;
    }
  }

  /** Trusts any client certificate: the server records it, the test judges it. */
  private static final class AnyClient implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {
      throw new UnsupportedOperationException("a server-side trust manager");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
