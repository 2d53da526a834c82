package dev.estuary.agent.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * A JDK TLS server on 127.0.0.1 that requires a client certificate chaining to one CA, accepts one
 * connection, and reports the client certificate the handshake authenticated. Bounded: the socket
 * times out after {@link #TIMEOUT_MS}.
 */
public final class LoopbackTlsServer implements AutoCloseable {
  public static final int TIMEOUT_MS = 20_000;

  private final SSLServerSocket socket;
  private final CompletableFuture<X509Certificate> client = new CompletableFuture<>();

  public LoopbackTlsServer(TestCa ca) throws GeneralSecurityException, IOException {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", ca.certificate());
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    socket =
        (SSLServerSocket)
            ca.server()
                .context(tmf.getTrustManagers())
                .getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress());
    socket.setNeedClientAuth(true);
    socket.setSoTimeout(TIMEOUT_MS);
    Thread t = new Thread(this::serveOne, "loopback-tls");
    t.setDaemon(true);
    t.start();
  }

  public int port() {
    return socket.getLocalPort();
  }

  private void serveOne() {
    try (SSLSocket s = (SSLSocket) socket.accept()) {
      s.setSoTimeout(TIMEOUT_MS);
      s.startHandshake();
      X509Certificate peer = (X509Certificate) s.getSession().getPeerCertificates()[0];
      InputStream in = s.getInputStream();
      OutputStream out = s.getOutputStream();
      out.write(in.read()); // echo one byte: the connection carries data both ways
      out.flush();
      client.complete(peer);
    } catch (IOException | RuntimeException e) {
      client.completeExceptionally(e);
    }
  }

  /** The client certificate of the one connection, once it has been served. */
  public X509Certificate clientCertificate()
      throws InterruptedException, ExecutionException, TimeoutException {
    return client.get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
