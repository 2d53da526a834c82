package dev.estuary.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The proxy on real loopback sockets, with two tiny backends that answer their own name. */
class FaultProxyTest {
  private final List<ServerSocket> backends = new ArrayList<>();

  @AfterEach
  void close() throws IOException {
    for (ServerSocket s : backends) {
      s.close();
    }
  }

  /** A backend that reads one line and answers "NAME:line". */
  private InetSocketAddress backend(String name) throws IOException {
    ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    backends.add(s);
    Thread.ofVirtual()
        .start(
            () -> {
              while (!s.isClosed()) {
                try {
                  Socket c = s.accept();
                  Thread.ofVirtual()
                      .start(
                          () -> {
                            try (c) {
                              String line = readLine(c.getInputStream());
                              OutputStream out = c.getOutputStream();
                              out.write(
                                  (name + ":" + line + "\n").getBytes(StandardCharsets.UTF_8));
                              out.flush();
                            } catch (IOException e) {
                              // the test closed it
                            }
                          });
                } catch (IOException e) {
                  return;
                }
              }
            });
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), s.getLocalPort());
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder b = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0 && c != '\n') {
      b.append((char) c);
    }
    if (c < 0 && b.isEmpty()) {
      throw new IOException("closed");
    }
    return b.toString();
  }

  private static String ask(int port, String what) throws IOException {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(5000);
      s.getOutputStream().write((what + "\n").getBytes(StandardCharsets.UTF_8));
      return readLine(s.getInputStream());
    }
  }

  @Test
  void connectionsGoRoundRobinOverTheBackends() throws IOException {
    try (FaultProxy p = new FaultProxy(List.of(backend("a"), backend("b")))) {
      List<String> answers = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        answers.add(ask(p.port(), "x" + i));
      }
      assertThat(answers).containsExactly("a:x0", "b:x1", "a:x2", "b:x3");
    }
  }

  @Test
  void aBackendThatRefusesIsSkipped() throws IOException {
    InetSocketAddress a = backend("a");
    InetSocketAddress dead;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      dead = new InetSocketAddress(InetAddress.getLoopbackAddress(), s.getLocalPort());
    }
    try (FaultProxy p = new FaultProxy(List.of(dead, a))) {
      for (int i = 0; i < 3; i++) {
        assertThat(ask(p.port(), "y")).isEqualTo("a:y");
      }
    }
  }

  @Test
  void refuseResetsEveryConnectionWhileInForceAndThenStops() throws Exception {
    try (FaultProxy p = new FaultProxy(List.of(backend("a")))) {
      p.inject(
          new FaultProxy.Fault(
              FaultProxy.Mode.REFUSE, 1.0, Duration.ZERO, Instant.now().plusMillis(600)));
      assertThatThrownBy(() -> ask(p.port(), "z")).isInstanceOf(IOException.class);
      assertThat(p.faulted.sum()).isEqualTo(1);
      Thread.sleep(800);
      assertThat(ask(p.port(), "z")).isEqualTo("a:z");
    }
  }

  @Test
  void resetBreaksTheConnectionAfterTheFirstAnswerBytes() throws Exception {
    try (FaultProxy p = new FaultProxy(List.of(backend("a")))) {
      p.inject(
          new FaultProxy.Fault(
              FaultProxy.Mode.RESET, 1.0, Duration.ZERO, Instant.now().plusSeconds(30)));
      assertThatThrownBy(() -> ask(p.port(), "w")).isInstanceOf(IOException.class);
    }
  }

  @Test
  void slowDelaysEveryChunk() throws Exception {
    try (FaultProxy p = new FaultProxy(List.of(backend("a")))) {
      p.inject(
          new FaultProxy.Fault(
              FaultProxy.Mode.SLOW, 1.0, Duration.ofMillis(300), Instant.now().plusSeconds(30)));
      Instant t0 = Instant.now();
      assertThat(ask(p.port(), "v")).isEqualTo("a:v");
      // one chunk each way, each held 300 ms: a lower bound, not a speed assertion
      assertThat(Duration.between(t0, Instant.now()))
          .isGreaterThanOrEqualTo(Duration.ofMillis(600));
    }
  }
}
