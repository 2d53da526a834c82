package dev.estuary.server.http;

import dev.estuary.server.ca.CaKeys;
import java.io.IOException;
import java.security.Provider;
import java.util.List;
import org.eclipse.jetty.http.HttpCompliance;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.VirtualThreadPool;

/**
 * Jetty with two TLS listeners, the device port (EST and provisioning) and the admin port, handlers
 * on virtual threads. TLS 1.2 and 1.3; client certificates are requested on the device port and
 * accepted whatever their issuer: each label validates them against its own trust anchors, so a
 * refusal is an HTTP answer with a reason, not a failed handshake.
 */
public final class HttpsServer implements AutoCloseable {
  public static final String DEVICE = "device";
  public static final String ADMIN = "admin";

  private final Server server;
  private final ServerConnector device;
  private final ServerConnector admin;
  private final SlowClientGuard guard;
  private final OpenTlsConnections deviceConnections = new OpenTlsConnections();
  private final OpenTlsConnections adminConnections = new OpenTlsConnections();

  /**
   * @param tlsProvider "jdk" (SunJSSE) or "conscrypt" (BoringSSL through Conscrypt's JSSE provider)
   */
  public HttpsServer(
      CaKeys.TlsKeys tls,
      String tlsProvider,
      String deviceHost,
      int devicePort,
      Handler deviceHandler,
      String adminHost,
      int adminPort,
      Handler adminHandler) {
    this(
        tls,
        tlsProvider,
        deviceHost,
        devicePort,
        deviceHandler,
        adminHost,
        adminPort,
        adminHandler,
        SlowClientGuard.Limits.DEFAULT);
  }

  /**
   * @param limits header and request deadlines, connections per client address (both listeners)
   */
  public HttpsServer(
      CaKeys.TlsKeys tls,
      String tlsProvider,
      String deviceHost,
      int devicePort,
      Handler deviceHandler,
      String adminHost,
      int adminPort,
      Handler adminHandler,
      SlowClientGuard.Limits limits) {
    // Every task of Jetty's (the selectors, accepts, TLS handshakes, requests) runs on a virtual
    // thread of its own; only the store's work has platform threads (StoreWorkers). With a pool of
    // platform threads beside the virtual ones, each task handed to the pool woke a parked thread
    // and parked it again: a virtual pool served new connections 7-13 % faster at 6-14 % less CPU
    // each, in three side-by-side runs (docs/benchmarks.md, round seven).
    VirtualThreadPool pool = new VirtualThreadPool();
    pool.setName("estuary-http");
    server = new Server(pool);
    guard = new SlowClientGuard(limits);
    Provider p = JsseProviders.named(tlsProvider);
    String provider = p == null ? null : p.getName();
    device = connector(tls, provider, true, deviceHost, devicePort, DEVICE);
    admin = connector(tls, provider, false, adminHost, adminPort, ADMIN);
    server.addConnector(device);
    server.addConnector(admin);
    server.setHandler(new ByConnector(deviceHandler, adminHandler, guard));
    server.setStopTimeout(5_000);
  }

  private ServerConnector connector(
      CaKeys.TlsKeys tls,
      String provider,
      boolean wantClientCert,
      String host,
      int port,
      String name) {
    SslContextFactory.Server ssl = new TlsContextFactory(wantClientCert);
    ssl.setKeyStore(tls.keyStore());
    ssl.setKeyStorePassword(new String(tls.password()));
    ssl.setKeyManagerPassword(new String(tls.password()));
    ssl.setCertAlias(tls.alias());
    ssl.setIncludeProtocols("TLSv1.3", "TLSv1.2");
    if (provider != null) {
      ssl.setProvider(provider);
    }
    ssl.setSniRequired(false);
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    http.setSendDateHeader(true);
    http.setHttpCompliance(HttpCompliance.RFC7230);
    // Clients append "/simpleenroll" to a base URL that may end in '/': accept empty segments
    // ("//"); EstPath collapses them. Jetty's default answers 400 "Ambiguous URI empty segment".
    // An OCSP GET carries its request as URL-encoded base64 (RFC 5019 5): '/' arrives as %2F.
    // Every handler reads the raw path (HttpURI.getPath), so an encoded '/' never splits a path.
    http.setUriCompliance(
        UriCompliance.DEFAULT.with(
            "estuary",
            UriCompliance.Violation.AMBIGUOUS_EMPTY_SEGMENT,
            UriCompliance.Violation.AMBIGUOUS_PATH_SEPARATOR));
    SecureRequestCustomizer secure = new SecureRequestCustomizer();
    secure.setSniHostCheck(false); // devices reach us by IP, by load-balancer names, ...
    secure.setStsMaxAge(-1);
    http.addCustomizer(secure);
    HttpConnectionFactory h1 = new HttpConnectionFactory(http);
    // No acceptor thread: the selector accepts new connections itself, in the loop that already
    // watches the open ones, instead of a thread blocked in accept() handing each one over (and
    // waking the selector) — 6 % less server CPU per new-connection enrollment, measured side by
    // side (docs/benchmarks.md, "Round four").
    ServerConnector c =
        new ServerConnector(server, 0, 1, new SslConnectionFactory(ssl, h1.getProtocol()), h1);
    c.setName(name);
    c.setHost(host);
    c.setPort(port);
    c.setIdleTimeout(30_000);
    c.setAcceptQueueSize(1024);
    c.addBean(guard); // a Connection.Listener: every connection of this listener reports to it
    c.addBean(wantClientCert ? deviceConnections : adminConnections);
    return c;
  }

  public void start() throws Exception {
    server.start();
  }

  /**
   * Presents {@code tls} from the next handshake on, on both ports (a CA rollover moved the TLS
   * certificate under a new root); connections already open keep the certificate they began with.
   */
  public void reloadTls(CaKeys.TlsKeys tls) throws Exception {
    for (ServerConnector c : List.of(device, admin)) {
      c.getConnectionFactory(SslConnectionFactory.class)
          .getSslContextFactory()
          .reload(
              f -> {
                f.setKeyStore(tls.keyStore());
                f.setKeyStorePassword(new String(tls.password()));
                f.setKeyManagerPassword(new String(tls.password()));
                f.setCertAlias(tls.alias());
              });
    }
  }

  /** The JSSE provider the device port's TLS really runs on (e.g. "SunJSSE", "Conscrypt"). */
  public String tlsProviderName() {
    var ssl = device.getConnectionFactory(SslConnectionFactory.class).getSslContextFactory();
    return ssl.getSslContext().getProvider().getName();
  }

  public int devicePort() {
    return device.getLocalPort();
  }

  /** TLS connections open now on the listener named {@link #DEVICE} or {@link #ADMIN}. */
  public int openConnections(String listener) {
    return (ADMIN.equals(listener) ? adminConnections : deviceConnections).open();
  }

  public int adminPort() {
    return admin.getLocalPort();
  }

  public void join() throws InterruptedException {
    server.join();
  }

  @Override
  public void close() throws IOException {
    try {
      server.stop();
      guard.close();
    } catch (Exception e) {
      throw new IOException("stopping the HTTPS listeners failed: " + e.getMessage(), e);
    }
  }

  /** Sends each request to the handler of the listener it came in on; 404 otherwise. */
  private static final class ByConnector extends Handler.AbstractContainer {
    private final Handler device;
    private final Handler admin;
    private final SlowClientGuard guard;

    ByConnector(Handler device, Handler admin, SlowClientGuard guard) {
      super(false);
      this.device = device;
      this.admin = admin;
      this.guard = guard;
      addBean(device);
      addBean(admin);
    }

    @Override
    public List<Handler> getHandlers() {
      return List.of(device, admin);
    }

    @Override
    public boolean handle(Request request, Response response, Callback given) throws Exception {
      Callback callback = guard.serving(request, given);
      String name = request.getConnectionMetaData().getConnector().getName();
      Handler target = ADMIN.equals(name) ? admin : device;
      if (!target.handle(request, response, callback)) {
        Replies.text(response, callback, 404, "not found: " + request.getHttpURI().getPath());
      }
      return true;
    }
  }
}
