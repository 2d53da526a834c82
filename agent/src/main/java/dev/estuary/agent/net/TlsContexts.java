package dev.estuary.agent.net;

import dev.estuary.pki.ClientTls;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
