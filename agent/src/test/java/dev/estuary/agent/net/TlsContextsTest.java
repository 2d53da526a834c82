package dev.estuary.agent.net;

import static org.assertj.core.api.Assertions.assertThat;

import dev.estuary.agent.est.EstClient;
import dev.estuary.agent.est.EstIdentity;
import dev.estuary.agent.testing.ScriptedEstServer;
import dev.estuary.agent.testing.ScriptedEstServer.Answer;
import dev.estuary.agent.testing.ScriptedEstServer.Request;
import dev.estuary.agent.testing.ScriptedEstServer.Response;
import dev.estuary.agent.testing.TestCa;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link TlsContexts}: one context per identity; the requests of a pass with an identity share one
 * kept-alive connection (seen from the server: the same client port); and the next connection with
 * an identity resumes its TLS session (seen from the server: the session of the second connection
 * is the one the first made), with the client certificate still presented to the server.
 */
class TlsContextsTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private static TestCa ca;
  private static ScriptedEstServer server;
  private static KeyPair deviceKey;
  private static X509Certificate deviceCert;

  @BeforeAll
  static void startServer() throws Exception {
    ca = new TestCa();
    server = ScriptedEstServer.start(ca);
    deviceKey = TestCa.newKey();
    deviceCert = ca.client("my-device-id", deviceKey.getPublic());
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @BeforeEach
  void fresh() {
    server.reset();
    server.always(Answer.with(Response.certs(ca.certificate())));
  }

  private static EstIdentity device(X509Certificate cert, KeyPair key) {
    return new EstIdentity(List.of(cert), key.getPrivate(), Optional.empty(), "device");
  }

  private static EstClient client(TlsContexts tls) {
    return new EstClient(() -> List.of(ca.certificate()), TIMEOUT, Clock.systemUTC(), tls);
  }

  @Test
  void theSameIdentityGetsTheSameContextAnotherIdentityAnother() throws Exception {
    TlsContexts tls = new TlsContexts();
    List<X509Certificate> trust = List.of(ca.certificate());
    SSLContext first = tls.context(trust, List.of(deviceCert), deviceKey.getPrivate());

    // Equal, not identical, lists and key: what an agent reading its files again holds.
    assertThat(tls.context(List.copyOf(trust), List.of(deviceCert), deviceKey.getPrivate()))
        .isSameAs(first);
    KeyPair otherKey = TestCa.newKey();
    X509Certificate renewed = ca.client("my-device-id", otherKey.getPublic());
    assertThat(tls.context(trust, List.of(renewed), otherKey.getPrivate())).isNotSameAs(first);
    assertThat(tls.context(trust, null, null)).isNotSameAs(first);
    // A root learned (root key update): another context, under the new trust.
    TestCa newRoot = new TestCa("new root");
    assertThat(
            tls.context(
                List.of(ca.certificate(), newRoot.certificate()),
                List.of(deviceCert),
                deviceKey.getPrivate()))
        .isNotSameAs(first);
  }

  @Test
  void keepsTheMostRecentlyUsedIdentitiesUpToItsCapacity() throws Exception {
    TlsContexts tls = new TlsContexts();
    List<X509Certificate> trust = List.of(ca.certificate());
    SSLContext kept = tls.context(trust, null, null);
    SSLContext dropped = tls.context(trust, List.of(deviceCert), deviceKey.getPrivate());
    for (int i = 0; i < TlsContexts.CAPACITY - 1; i++) {
      KeyPair k = TestCa.newKey();
      tls.context(trust, List.of(ca.client("device-" + i, k.getPublic())), k.getPrivate());
      assertThat(tls.context(trust, null, null)).isSameAs(kept); // used again: stays
    }
    assertThat(tls.context(trust, null, null)).isSameAs(kept);
    assertThat(tls.context(trust, List.of(deviceCert), deviceKey.getPrivate()))
        .isNotSameAs(dropped);
  }

  @Test
  void theRequestsOfAPassWithAnIdentityShareOneConnectionUntilItsConnectionsAreClosed()
      throws Exception {
    TlsContexts tls = new TlsContexts();
    EstClient est = client(tls);
    est.caCerts(server.base(), device(deviceCert, deviceKey));
    est.caCerts(server.base(), device(deviceCert, deviceKey));
    tls.closeConnections(); // the pass ends
    est.caCerts(server.base(), device(deviceCert, deviceKey));

    List<Request> requests = server.requests();
    assertThat(requests).hasSize(3);
    assertThat(requests.get(1).clientPort())
        .as("the second request went over the first one's connection")
        .isEqualTo(requests.get(0).clientPort());
    assertThat(requests.get(2).clientPort())
        .as("after the connections were closed, a new one")
        .isNotEqualTo(requests.get(0).clientPort());
    assertThat(requests).allSatisfy(r -> assertThat(r.clientCertificate()).contains(deviceCert));
  }

  @Test
  void theNextConnectionWithAnIdentityResumesItsSessionAndStillPresentsTheCertificate()
      throws Exception {
    TlsContexts tls = new TlsContexts();
    EstClient est = client(tls);
    est.caCerts(server.base(), device(deviceCert, deviceKey));
    tls.closeConnections();
    Thread.sleep(20); // a new session would be made at a later millisecond
    est.caCerts(server.base(), device(deviceCert, deviceKey));

    List<Request> requests = server.requests();
    assertThat(requests).hasSize(2);
    assertThat(requests.get(1).clientPort()).isNotEqualTo(requests.get(0).clientPort());
    assertThat(requests.get(1).tlsSessionCreated())
        .as("the second connection resumed the first one's session")
        .isEqualTo(requests.get(0).tlsSessionCreated());
    assertThat(requests).allSatisfy(r -> assertThat(r.clientCertificate()).contains(deviceCert));
  }

  @Test
  void aNewIdentityOrNoSharedContextsMakesAFullHandshake() throws Exception {
    TlsContexts tls = new TlsContexts();
    client(tls).caCerts(server.base(), device(deviceCert, deviceKey));
    Thread.sleep(20);
    KeyPair renewedKey = TestCa.newKey();
    X509Certificate renewed = ca.client("my-device-id", renewedKey.getPublic());
    client(tls).caCerts(server.base(), device(renewed, renewedKey));
    Thread.sleep(20);
    client(new TlsContexts()).caCerts(server.base(), device(deviceCert, deviceKey));

    List<Request> requests = server.requests();
    assertThat(requests).extracting(Request::tlsSessionCreated).doesNotHaveDuplicates();
    assertThat(requests.get(1).clientCertificate()).contains(renewed);
  }

  @Test
  void onJava21AndLaterTheClientsWorkOnVirtualThreadsNotAPoolOfTheirOwn() throws Exception {
    TlsContexts tls = new TlsContexts();
    SSLContext context = tls.context(List.of(ca.certificate()), null, null);
    HttpClient client = tls.client(context, TIMEOUT);
    AtomicReference<Thread> handledOn = new AtomicReference<>();
    HttpResponse<byte[]> answer =
        client.send(
            HttpRequest.newBuilder(URI.create(server.base() + "/cacerts")).build(),
            info -> {
              handledOn.set(Thread.currentThread());
              return HttpResponse.BodySubscribers.ofByteArray();
            });
    tls.closeConnections();

    assertThat(answer.statusCode()).isEqualTo(200);
    Thread t = handledOn.get();
    if (Runtime.version().feature() >= 21) {
      assertThat(client.executor()).isEqualTo(TlsContexts.WORKERS);
      assertThat((Boolean) Thread.class.getMethod("isVirtual").invoke(t))
          .as("the answer was handled on %s", t)
          .isTrue();
    } else {
      assertThat(TlsContexts.WORKERS).isEmpty();
      assertThat(client.executor()).isEmpty();
    }
  }
}
