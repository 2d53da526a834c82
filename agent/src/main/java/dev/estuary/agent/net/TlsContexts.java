package dev.estuary.agent.net;

import dev.estuary.pki.ClientTls;
import java.net.http.HttpClient;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;

/**
 * The agent's TLS client contexts, one per identity: the same trust anchors, client chain and key
 * give the same {@link SSLContext}. A context keeps the TLS sessions its connections made (the
 * JDK's client session cache, by server host and port), so the next connection with the same
 * identity to the same server resumes (TLS 1.3 pre-shared key from the server's session ticket):
 * neither side sends or checks a certificate chain again and the device's key signs nothing; the
 * key agreement is new. A renewal makes several requests with one identity ({@code cacerts}, the
 * enrollment, the provisioning service's PUT and polls), and only the first pays for a full
 * handshake.
 *
 * <p>What resumption does not skip: the server authenticates the client certificate of the session
 * at every request (validity, revocation, label), as for a new one. A changed identity (a renewed
 * certificate, a new key, a root learned from a root key update) is another key here, so its first
 * connection is a full handshake under the trust of that moment.
 *
 * <p>Bounded: the least recently used contexts beyond {@link #CAPACITY} are dropped (an agent uses
 * a few identities at a time: bootstrap, the device identity before and after its renewal, none).
 *
 * <p>It also keeps the HTTP clients of one pass of the agent ({@link #client}), one per context:
 * the requests a pass makes with one identity (a renewal's {@code cacerts} and enrollment, the
 * provisioning service's PUT and its polls) go over one kept-alive connection instead of one
 * connection each, so the server makes one handshake for them, resumed or not. {@link
 * #closeConnections()} ends them at the end of the pass: an agent holds no connection and no client
 * thread while it sleeps until its next renewal.
 *
 * <p>On Java 21 and later the clients run their work on virtual threads ({@link #WORKERS}, shared
 * by every client of the process) instead of each client's own pool of platform threads: a process
 * that runs many agents (the fleet simulator runs thousands) otherwise holds a pool per pass in
 * flight, thousands of threads for the scheduler and the garbage collector to go through. On 17 the
 * JDK's own pool per client stays (a device runs one agent).
 */
public final class TlsContexts {
  /** How many identities' contexts are kept. */
  static final int CAPACITY = 4;

  private record Identity(
      List<X509Certificate> trust, List<X509Certificate> chain, PrivateKey key) {}

  private final Map<Identity, SSLContext> contexts =
      new LinkedHashMap<>(8, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Identity, SSLContext> e) {
          return size() > CAPACITY;
        }
      };

  private record ClientKey(SSLContext context, Duration connectTimeout) {}

  private final Map<ClientKey, HttpClient> clients = new HashMap<>();

  /**
   * What the clients run their asynchronous work on: a virtual thread per task on Java 21+ (looked
   * up, as the device side is compiled for 17), none on 17 (each client's own pool).
   */
  static final Optional<Executor> WORKERS = virtualThreads();

  private static Optional<Executor> virtualThreads() {
    try {
      return Optional.of(
          (Executor) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null));
    } catch (ReflectiveOperationException e) {
      return Optional.empty(); // Java 17
    }
  }

  /**
   * The HTTP client of this pass for {@code context} (HTTP/1.1, no redirects, connections within
   * {@code connectTimeout}), made the first time: its connections stay open for the next request
   * until {@link #closeConnections()} or {@link #discard}.
   */
  public synchronized HttpClient client(SSLContext context, Duration connectTimeout) {
    return clients.computeIfAbsent(
        new ClientKey(context, connectTimeout),
        k -> {
          HttpClient.Builder b =
              HttpClient.newBuilder()
                  .version(HttpClient.Version.HTTP_1_1)
                  .connectTimeout(connectTimeout)
                  .sslContext(context)
                  .followRedirects(HttpClient.Redirect.NEVER);
          WORKERS.ifPresent(b::executor);
          return b.build();
        });
  }

  /** Forgets {@code client} (it was shut down): the next request makes a new one. */
  public synchronized void discard(HttpClient client) {
    clients.values().removeIf(c -> c == client);
  }

  /**
   * Closes the clients of this pass and their connections: the next request opens a new connection
   * (resuming the identity's TLS session where the server allows).
   */
  public void closeConnections() {
    List<HttpClient> open;
    synchronized (this) {
      open = List.copyOf(clients.values());
      clients.clear();
    }
    open.forEach(Https::close);
  }

  /**
   * The context for {@code trust} and the client identity {@code chain} (leaf first) with {@code
   * key}; both null for none. Made by {@link ClientTls#context} the first time.
   */
  public synchronized SSLContext context(
      List<X509Certificate> trust, List<X509Certificate> chain, PrivateKey key)
      throws GeneralSecurityException {
    Identity id = new Identity(List.copyOf(trust), chain == null ? null : List.copyOf(chain), key);
    SSLContext known = contexts.get(id);
    if (known == null) {
      known = ClientTls.context(id.trust(), id.chain(), key);
      contexts.put(id, known);
    }
    return known;
  }
}
