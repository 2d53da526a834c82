package dev.estuary.server.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.estuary.pki.Pem;
import dev.estuary.server.EstuaryServer;
import dev.estuary.server.config.ServerConfig;
import dev.estuary.server.config.ServerConfigParser;
import dev.estuary.server.quickstart.Quickstart;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Comparator;
import java.util.function.UnaryOperator;

/**
 * A real quickstart server for tests: data directory under a temp dir, real TLS on free loopback
 * ports, real H2 database. Optionally edits server.toml before starting (to change a label's
 * settings), and can restart on the same directory.
 */
public final class QuickstartServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path dir;
  private final Quickstart quickstart;
  private EstuaryServer server;
  private int[] stoppedPorts;
  private JsonNode info;

  private QuickstartServer(Path dir) {
    this.dir = dir;
    this.quickstart = new Quickstart(dir, Clock.systemUTC(), new SecureRandom());
  }

  private static QuickstartServer shared;

  /**
   * One quickstart server for the test classes of this JVM that share it (the provisioning tests:
   * each works on registration ids and enrollments of its own, and undoes what would change
   * another's results). Started on first use; stopped, and its directory deleted, when the JVM
   * exits.
   */
  public static synchronized QuickstartServer shared() throws Exception {
    if (shared == null) {
      Path dir = Files.createTempDirectory("estuary-shared-quickstart");
      QuickstartServer s = start(dir.resolve("data"));
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    try {
                      s.close();
                      try (var files = Files.walk(dir)) {
                        files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                      }
                    } catch (IOException e) {
                      System.err.println("shared quickstart server: " + e);
                    }
                  },
                  "shared-quickstart-stop"));
      shared = s;
    }
    return shared;
  }

  /** Starts a quickstart server in {@code dir} (created on first use). */
  public static QuickstartServer start(Path dir) throws Exception {
    return start(dir, UnaryOperator.identity());
  }

  /**
   * Starts with server.toml edited by {@code editToml} (applied to the file text on every start;
   * e.g. {@code t -> t.replace("validity = \"7d\"", "validity = \"2m\"")}).
   */
  public static QuickstartServer start(Path dir, UnaryOperator<String> editToml) throws Exception {
    QuickstartServer s = new QuickstartServer(dir);
    s.quickstart.prepare();
    Path toml = s.quickstart.configFile();
    String original = Files.readString(toml);
    String edited = editToml.apply(original);
    if (!edited.equals(original)) {
      Files.writeString(toml, edited);
    }
    s.boot();
    return s;
  }

  /** A server.toml edit for {@link #start(Path, UnaryOperator)}: TLS on {@code provider}. */
  public static UnaryOperator<String> tlsProvider(String provider) {
    return t -> t.replace("alias = \"tls\"", "alias = \"tls\"\nprovider = \"" + provider + "\"");
  }

  private void boot() throws Exception {
    boot(0, 0);
  }

  private void boot(int estPort, int adminPort) throws Exception {
    ServerConfig cfg =
        ServerConfigParser.parse(quickstart.configFile()).withPorts(estPort, adminPort);
    server = EstuaryServer.start(cfg, Clock.systemUTC());
    info = quickstart.publish(server.estPort(), server.adminPort(), cfg.idScope());
  }

  /** Stops and starts again on the same data directory (new ports). */
  public void restart() throws Exception {
    server.close();
    boot();
  }

  /** Stops serving (an outage); {@link #resume()} starts again on the same ports. */
  public void stop() throws IOException {
    stoppedPorts = new int[] {server.estPort(), server.adminPort()};
    server.close();
    server = null;
  }

  /** Serves again after {@link #stop()}, on the ports it had. */
  public void resume() throws Exception {
    boot(stoppedPorts[0], stoppedPorts[1]);
  }

  public EstuaryServer server() {
    return server;
  }

  public Path dataDir() {
    return dir;
  }

  public int estPort() {
    return server.estPort();
  }

  /** https://localhost:PORT/.well-known/est (no trailing slash). */
  public String estUrl() {
    return info.get("est_url").asText();
  }

  /** Base URL of a label, with a trailing slash. */
  public String labelUrl(String label) {
    return info.get("labels").get(label).asText();
  }

  public Path rootPem() {
    return Path.of(info.get("root_ca").asText());
  }

  public X509Certificate root() throws Exception {
    return Pem.certificates(Files.readString(rootPem())).getFirst();
  }

  public String factorySecret() {
    return info.get("factory_secret").asText();
  }

  public String basicUsername() {
    return info.get("basic_username").asText();
  }

  public String basicPassword() {
    return info.get("basic_password").asText();
  }

  public String adminUrl() {
    return info.get("admin_url").asText();
  }

  public String adminToken() {
    return info.get("admin_token").asText();
  }

  public JsonNode info() {
    return info;
  }

  @Override
  public void close() throws IOException {
    if (server != null) {
      server.close();
    }
  }

  static ObjectMapper json() {
    return JSON;
  }
}
