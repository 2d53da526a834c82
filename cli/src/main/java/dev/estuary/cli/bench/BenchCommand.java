package dev.estuary.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.estuary.config.Durations;
import dev.estuary.pki.CertsOnlyPkcs7;
import dev.estuary.pki.ClientTls;
import dev.estuary.pki.Csr;
import dev.estuary.pki.EstBase64;
import dev.estuary.pki.IssuingCa;
import dev.estuary.pki.KeyPairs;
import dev.estuary.pki.Pem;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code estuary bench}: a load generator for any RFC 7030 server, and for the DPS device API
 * ({@code register}). Keys, CSRs and certificates are made before the clock starts; the run is
 * bounded in time (and optionally in requests).
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Load-tests an EST server (ours or another), or the DPS-compatible registration (register).",
      "It reports throughput, latency percentiles, errors by kind, and server CPU per operation when the",
      "server's Prometheus /metrics can be read."
    })
public final class BenchCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** How much longer than --warmup the bench waits for every client's first answer. */
  private static final Duration MAX_WARMUP_EXTENSION = Duration.ofSeconds(60);

  enum Scenario {
    cacerts,
    enroll,
    reenroll,
    register
  }

  enum Auth {
    none,
    secret,
    basic,
    mtls
  }

  @Option(
      names = "--url",
      paramLabel = "URL",
      split = ",",
      description =
          "EST base URL, e.g. https://localhost:8443/.well-known/est/device-id (the operation is appended); register: where the identity that enrolls the devices comes from. Repeat it (or give a comma list) to spread the clients round-robin over several replicas: client i uses URL i mod N, and the report counts the requests per URL.")
  List<String> urls;

  /** The first --url: where identities come from, and what the defaults derive from. */
  String url;

  @Option(
      names = "--quickstart",
      paramLabel = "DIR",
      description =
          "Take --url, --cacert, the secret and Basic credentials (and for register --device-label-url, --dps-url, --id-scope) from DIR/quickstart.json.")
  Path quickstart;

  @Option(
      names = "--cacert",
      paramLabel = "PEM",
      description = "Root(s) that the server's TLS certificate chains to.")
  Path cacert;

  @Option(
      names = "--scenario",
      required = true,
      description =
          "cacerts, enroll, reenroll or register (DPS: PUT register, then one immediate poll of its operation).")
  Scenario scenario;

  @Option(
      names = "--auth",
      defaultValue = "none",
      description = "none, secret (Secret-Value), basic or mtls (default: ${DEFAULT-VALUE}).")
  Auth auth;

  @Option(
      names = "--secret",
      paramLabel = "VALUE",
      description = "Bootstrap secret for --auth secret.")
  String secret;

  @Option(names = "--user", paramLabel = "NAME", description = "Basic username for --auth basic.")
  String user;

  @Option(names = "--password", paramLabel = "PW", description = "Basic password for --auth basic.")
  String password;

  @Option(
      names = "--client-cert",
      paramLabel = "PEM",
      description = "Client certificate (chain) for --auth mtls.")
  Path clientCert;

  @Option(
      names = "--client-key",
      paramLabel = "PEM",
      description = "Client private key for --auth mtls.")
  Path clientKey;

  @Option(
      names = "--new-connection",
      description = "A new TLS connection (full handshake, no resumption) for every request.")
  boolean newConnection;

  @Option(
      names = "--resume",
      description =
          "With --new-connection: every new connection resumes the client's TLS session (a TLS 1.3"
              + " ticket), as a renewing agent's connections after its first do.")
  boolean resume;

  @Option(
      names = "--keep-alive",
      description = "One kept-alive connection per client (the default).")
  boolean keepAlive;

  @Option(
      names = "--concurrency",
      defaultValue = "8",
      description = "Concurrent clients (default: ${DEFAULT-VALUE}).")
  int concurrency;

  @Option(
      names = "--duration",
      defaultValue = "30s",
      description = "Measured time (default: ${DEFAULT-VALUE}); at most 1h.")
  String duration;

  @Option(
      names = "--warmup",
      defaultValue = "3s",
      description =
          "Unmeasured time before it (default: ${DEFAULT-VALUE}); it lasts until every client has"
              + " had its first answer as well (at most 60 s more), so a cold or starved server's"
              + " first handshakes are not measured.")
  String warmup;

  @Option(
      names = "--max-requests",
      paramLabel = "N",
      description = "Stop after N measured requests even if time remains.")
  Long maxRequests;

  @Option(
      names = "--csr-pool",
      defaultValue = "2000",
      description =
          "Distinct keys + CSRs made before the clock starts (default: ${DEFAULT-VALUE}).")
  int csrPool;

  @Option(
      names = "--key-type",
      defaultValue = "ec-p256",
      description = "Key type of the CSRs (default: ${DEFAULT-VALUE}).")
  String keyType;

  @Option(
      names = "--devices",
      paramLabel = "N",
      description =
          "register: devices (certificates, registration ids) made before the clock starts, spread over the clients (default: --concurrency); kept-alive, one connection each.")
  Integer devices;

  @Option(
      names = "--device-label-url",
      paramLabel = "URL",
      description =
          "register: EST base URL of the label issuing the devices' certificates, over mTLS with an identity enrolled at --url with --auth (default: the quickstart's device-id label, else --url itself with --auth).")
  String deviceLabelUrl;

  @Option(
      names = "--dps-url",
      paramLabel = "URL",
      description =
          "register: the provisioning service's base URL (default: the quickstart's dps_global_endpoint, else --url's scheme, host and port).")
  String dpsUrl;

  @Option(
      names = "--id-scope",
      paramLabel = "SCOPE",
      description = "register: the ID scope (default: the quickstart's id_scope).")
  String idScope;

  @Option(
      names = "--metrics",
      paramLabel = "URL",
      description = "Server's Prometheus endpoint (for CPU seconds per operation).")
  String metricsUrl;

  @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON.")
  Path json;

  private Endpoint est;

  /** The --url endpoints, in their order; client i uses {@code ests.get(i % ests.size())}. */
  private List<Endpoint> ests;

  private SSLContext anonymousTls;
  private X509Certificate[] trust;

  /** register: the registration ids of this run are this prefix and a number. */
  private String registrationPrefix;

  /**
   * Which of {@code urls} endpoints client {@code client} uses: round-robin, so N clients over M
   * URLs put N/M (or one more) on each, and each client keeps its one URL (its connection).
   */
  static int spread(int client, int urls) {
    return Math.floorMod(client, urls);
  }

  /** Host, port and base path (ending in /) of a URL. */
  record Endpoint(String host, int port, String path) {
    static Endpoint of(String url) {
      URI u = URI.create(url.endsWith("/") ? url : url + "/");
      return new Endpoint(u.getHost(), u.getPort() < 0 ? 443 : u.getPort(), u.getRawPath());
    }
  }

  /**
   * What one operation came to.
   *
   * @param error its kind when it failed, null when it succeeded
   * @param untimedNanos time spent in it that is not its latency (register: following an operation
   *     that said assigning, as the server asked)
   */
  record Outcome(String error, long untimedNanos) {
    static final Outcome OK = new Outcome(null, 0);
  }

  @Override
  public Integer call() throws Exception {
    if (newConnection && keepAlive) {
      System.err.println("estuary bench: --new-connection and --keep-alive exclude each other");
      return 2;
    }
    if (resume && !newConnection) {
      System.err.println(
          "estuary bench: --resume is for --new-connection (kept-alive connections do not"
              + " handshake again)");
      return 2;
    }
    url = urls == null || urls.isEmpty() ? null : urls.getFirst();
    readQuickstart();
    if (urls == null && url != null) {
      urls = List.of(url);
    }
    if (url == null || cacert == null) {
      System.err.println("estuary bench: give --url and --cacert (or --quickstart DIR)");
      return 2;
    }
    if (concurrency < 1 || concurrency > 4096) {
      System.err.println("estuary bench: --concurrency must be 1..4096");
      return 2;
    }
    Duration measured = Durations.parse(duration);
    Duration warm =
        warmup.equals("0") || warmup.equals("0s") ? Duration.ZERO : Durations.parse(warmup);
    if (measured.compareTo(Duration.ofHours(1)) > 0) {
      System.err.println("estuary bench: --duration is at most 1h");
      return 2;
    }
    est = Endpoint.of(url);
    ests = urls.stream().map(Endpoint::of).toList();
    if (scenario == Scenario.register) {
      String refusal = registerDefaults();
      if (refusal != null) {
        System.err.println("estuary bench: " + refusal);
        return 2;
      }
    }
    trust = Pem.certificates(Files.readString(cacert)).toArray(X509Certificate[]::new);
    anonymousTls = tls(null, null);

    List<PreparedCsr> pool =
        scenario == Scenario.cacerts || scenario == Scenario.register
            ? List.of()
            : makeCsrs(csrPool, csrName());
    List<Client> clients = new ArrayList<>();
    for (int i = 0; i < concurrency; i++) {
      clients.add(new Client(i, pool));
    }
    if (scenario == Scenario.reenroll) {
      System.err.printf(
          "estuary bench: enrolling %d client identities for reenroll ...%n", concurrency);
      for (Client c : clients) {
        c.enrollIdentity();
      }
    }
    if (scenario == Scenario.register) {
      prepareDevices(clients);
    }
    Result r = run(clients, warm, measured);
    double cpuPerOp =
        Double.isNaN(r.cpuSeconds) || r.ok == 0 ? Double.NaN : r.cpuSeconds / (r.ok + r.errors);
    report(r, cpuPerOp);
    return r.ok > 0 ? 0 : 1;
  }

  private void readQuickstart() throws Exception {
    if (quickstart == null) {
      return;
    }
    JsonNode q = JSON.readTree(quickstart.resolve("quickstart.json").toFile());
    if (url == null) {
      url = q.path("est_url").asText();
    }
    if (cacert == null) {
      cacert = Path.of(q.path("root_ca").asText());
    }
    if (secret == null) {
      secret = q.path("factory_secret").asText(null);
    }
    if (user == null) {
      user = q.path("basic_username").asText(null);
    }
    if (password == null) {
      password = q.path("basic_password").asText(null);
    }
    if (metricsUrl == null && q.hasNonNull("admin_url")) {
      metricsUrl = q.get("admin_url").asText() + "/metrics";
    }
    if (deviceLabelUrl == null && q.path("labels").hasNonNull("device-id")) {
      deviceLabelUrl = q.path("labels").get("device-id").asText();
    }
    if (dpsUrl == null) {
      dpsUrl = q.path("dps_global_endpoint").asText(null);
    }
    if (idScope == null) {
      idScope = q.path("id_scope").asText(null);
    }
  }

  /** register: fills in what was not given; answers why it cannot run, or null. */
  private String registerDefaults() {
    if (idScope == null) {
      return "the register scenario needs --id-scope (or --quickstart DIR of a server that serves provisioning)";
    }
    if (devices == null) {
      devices = concurrency;
    }
    if (devices < concurrency || devices > 100_000) {
      return "--devices must be at least --concurrency and at most 100000";
    }
    if (deviceLabelUrl == null) {
      deviceLabelUrl = url;
    }
    if (dpsUrl == null) {
      URI u = URI.create(url);
      dpsUrl = u.getScheme() + "://" + u.getRawAuthority();
    }
    return null;
  }

  private record PreparedCsr(byte[] body, KeyPair key) {}

  /**
   * The CN of the i-th CSR: {@code bench-i}, or with --client-cert the certificate's own CN for
   * every CSR. A label that binds names gives one identity one name (the trust issue), so an IDevID
   * enrolling (and its LDevIDs renewing) asks for its own name, as a device does; with {@code
   * bench-i} every request after the first was refused with 403.
   */
  private IntFunction<String> csrName() throws Exception {
    if (clientCert == null) {
      return i -> "bench-" + i;
    }
    X509Certificate own = Pem.certificates(Files.readString(clientCert)).getFirst();
    String cn = Csr.commonName(X500Name.getInstance(own.getSubjectX500Principal().getEncoded()));
    if (cn.isEmpty()) {
      throw new IllegalArgumentException(clientCert + ": the client certificate has no CN");
    }
    return i -> cn;
  }

  private List<PreparedCsr> makeCsrs(int count, IntFunction<String> name) throws Exception {
    int n = Math.max(1, count);
    System.err.printf(
        "estuary bench: making %d %s keys and CSRs before the clock starts ...%n", n, keyType);
    SecureRandom random = new SecureRandom();
    List<PreparedCsr> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(makeCsr(name.apply(i), random));
    }
    return out;
  }

  private PreparedCsr makeCsr(String cn, SecureRandom random) throws Exception {
    KeyPair kp = KeyPairs.generate(keyType, random);
    var b = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=" + cn), kp.getPublic());
    var signer =
        new JcaContentSignerBuilder(IssuingCa.signatureAlgorithm(kp.getPublic()))
            .build(kp.getPrivate());
    return new PreparedCsr(EstBase64.encode(b.build(signer).getEncoded()), kp);
  }

  /**
   * register: a certificate for every device from the device label, before the clock starts, and
   * the devices dealt out to the clients. The label is reached with --auth, or, when it is not
   * --url and --auth is not mtls, with an identity (an IDevID) of each device's own enrolled at
   * --url first (a label with name binding gives one identity one name). With --auth mtls every
   * device is enrolled with the one --client-cert: one device on a label with name binding.
   */
  private void prepareDevices(List<Client> clients) throws Exception {
    SecureRandom random = new SecureRandom();
    byte[] run = new byte[4];
    random.nextBytes(run);
    registrationPrefix = "bench-" + HexFormat.of().formatHex(run) + "-";
    List<PreparedCsr> csrs = makeCsrs(devices, i -> registrationPrefix + i);
    Endpoint label = Endpoint.of(deviceLabelUrl);
    // A label with name binding gives one name per identity: each device gets an identity (an
    // IDevID) of its own at --url first, as a real device has.
    boolean identityPerDevice = auth != Auth.mtls && !label.equals(est);
    if (identityPerDevice) {
      System.err.printf(
          "estuary bench: enrolling an identity per device at %s (--auth %s) ...%n", url, auth);
    }
    System.err.printf(
        "estuary bench: enrolling %d device certificates at %s ...%n", csrs.size(), deviceLabelUrl);
    Endpoint dps = Endpoint.of(dpsUrl);
    for (Client c : clients) {
      c.registrant = new Registrant(dps.path() + idScope + "/registrations/");
    }
    Client enroller = null;
    for (int i = 0; i < csrs.size(); i++) {
      if (enroller == null || identityPerDevice) {
        if (enroller != null) {
          enroller.link.close();
        }
        enroller = new Client(0, List.of());
        if (identityPerDevice) {
          PreparedCsr identity = makeCsr(registrationPrefix + i + "-idevid", random);
          enroller.become(enroller.enroll(identity), identity.key().getPrivate());
        }
        enroller.at = label;
      }
      PreparedCsr csr = csrs.get(i);
      SSLContext device = tls(enroller.enroll(csr), csr.key().getPrivate());
      clients
          .get(i % clients.size())
          .registrant
          .add(
              new Registrant.Device(
                  registrationPrefix + i,
                  new Link(device, dps.host(), dps.port(), newConnection, resume)));
    }
    if (enroller != null) {
      enroller.link.close();
    }
  }

  private SSLContext tls(List<X509Certificate> chain, PrivateKey key) throws Exception {
    return ClientTls.context(List.of(trust), chain, key);
  }

  /**
   * One simulated client: its EST identity and link, its position in the CSR pool; for register,
   * its devices.
   */
  private final class Client implements MeasuredWindow.Worker {
    final int id;
    final List<PreparedCsr> pool;
    final int urlIndex;
    Endpoint at;
    long ok;
    long errors;
    Link link;
    int next;
    String[] headers = new String[0];
    Registrant registrant;
    final LatencyStats latencies = new LatencyStats();

    Client(int id, List<PreparedCsr> pool) throws Exception {
      this.id = id;
      this.pool = pool;
      this.urlIndex = spread(id, ests.size());
      this.at = scenario == Scenario.register ? est : ests.get(urlIndex);
      this.next = pool.isEmpty() ? 0 : (id * 7919) % pool.size();
      SSLContext tls = anonymousTls;
      headers = authHeaders();
      if (auth == Auth.mtls) {
        if (clientCert == null || clientKey == null) {
          throw new IllegalArgumentException("--auth mtls needs --client-cert and --client-key");
        }
        // as a JDK key: JSSE offers no client certificate for Bouncy Castle's "ECDSA" keys
        tls =
            tls(
                Pem.certificates(Files.readString(clientCert)),
                Pem.privateKey(Files.readString(clientKey)));
      }
      link = new Link(tls, at.host(), at.port(), newConnection, resume);
    }

    private String[] authHeaders() {
      return switch (auth) {
        case secret -> {
          if (secret == null) {
            throw new IllegalArgumentException("--auth secret needs --secret");
          }
          yield new String[] {"Secret-Value: " + secret};
        }
        case basic -> {
          if (user == null || password == null) {
            throw new IllegalArgumentException("--auth basic needs --user and --password");
          }
          String token =
              Base64.getEncoder()
                  .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
          yield new String[] {"Authorization: Basic " + token};
        }
        default -> new String[0];
      };
    }

    /** For reenroll: a certificate of its own (enrolled with --auth), then mTLS with it. */
    void enrollIdentity() throws Exception {
      PreparedCsr csr = pool.get(next);
      become(enroll(csr), csr.key().getPrivate());
    }

    /**
     * A certificate for the CSR, from the label at {@link #at}, with this client's identity, and
     * its CA chain (leaf first).
     */
    List<X509Certificate> enroll(PreparedCsr csr) throws Exception {
      HttpsConnection.Response r =
          link.once(
              c -> c.post(at.path() + "simpleenroll", "application/pkcs10", csr.body(), headers));
      if (r.status() != 200) {
        throw new IllegalStateException(
            "enrolling a client certificate at "
                + at.path()
                + " failed: HTTP "
                + r.status()
                + " "
                + new String(r.body(), StandardCharsets.UTF_8).strip());
      }
      // The answer holds the issued certificate alone (RFC 7030 §4.2.3); the chain comes from
      // cacerts.
      List<X509Certificate> chain =
          new ArrayList<>(CertsOnlyPkcs7.decode(EstBase64.decode(r.body())));
      HttpsConnection.Response cas = link.once(c -> c.get(at.path() + "cacerts", headers));
      if (cas.status() != 200) {
        throw new IllegalStateException(
            "cacerts at " + at.path() + " failed: HTTP " + cas.status());
      }
      // cacerts lists the root first, then down to the issuing CA: append below-root CAs issuer
      // first.
      chain.addAll(
          CertsOnlyPkcs7.decode(EstBase64.decode(cas.body())).stream()
              .filter(c -> !c.getSubjectX500Principal().equals(c.getIssuerX500Principal()))
              .toList()
              .reversed());
      return chain;
    }

    /** From now on mTLS with this certificate, and no other credentials. */
    void become(List<X509Certificate> chain, PrivateKey key) throws Exception {
      link.close();
      link = new Link(tls(chain, key), at.host(), at.port(), newConnection, resume);
      headers = new String[0];
    }

    @Override
    public Outcome request(boolean measuring) throws Exception {
      if (scenario == Scenario.register) {
        return registrant.register(measuring);
      }
      HttpsConnection.Response r =
          link.once(
              switch (scenario) {
                case cacerts -> c -> c.get(at.path() + "cacerts", headers);
                case enroll ->
                    c ->
                        c.post(
                            at.path() + "simpleenroll", "application/pkcs10", nextCsr(), headers);
                case reenroll ->
                    c ->
                        c.post(
                            at.path() + "simplereenroll", "application/pkcs10", nextCsr(), headers);
                case register -> throw new IllegalStateException();
              });
      return r.status() == 200 ? Outcome.OK : new Outcome("HTTP " + r.status(), 0);
    }

    private byte[] nextCsr() {
      PreparedCsr c = pool.get(next);
      next = (next + 1) % pool.size();
      return c.body();
    }

    @Override
    public void tally(Outcome outcome, long latencyNanos) {
      if (outcome.error() == null) {
        ok++;
        latencies.add(latencyNanos);
      } else {
        errors++;
      }
    }

    @Override
    public void close() {
      link.close();
      if (registrant != null) {
        registrant.close();
      }
    }
  }

  /**
   * @param cpuSeconds server CPU over the measured interval, NaN when unknown
   * @param registrations register only, else null
   */
  private record Result(
      long ok,
      long errors,
      Map<String, Long> errorKinds,
      double seconds,
      LatencyStats.Summary latency,
      double cpuSeconds,
      Registrations registrations,
      Map<String, long[]> perUrl) {}

  /** register: the PUT and the immediate poll timed apart, and the polls that said assigning. */
  private record Registrations(
      LatencyStats.Summary put, LatencyStats.Summary poll, long assigningPolls) {}

  /** How the clients connect, in words. */
  private String connections() {
    return !newConnection
        ? "kept-alive connections"
        : resume
            ? "new TLS connection per request, session resumed"
            : "new TLS connection per request, full handshake";
  }

  private Result run(List<Client> clients, Duration warm, Duration measured)
      throws InterruptedException {
    System.err.printf(
        "estuary bench: %s, %s, %d client(s), %s warm-up + %s measured ...%n",
        scenario,
        connections(),
        clients.size(),
        Durations.format(warm.isZero() ? Duration.ofSeconds(0) : warm),
        Durations.format(measured));
    MeasuredWindow.Span span =
        MeasuredWindow.run(
            clients, warm, measured, maxRequests, MAX_WARMUP_EXTENSION, this::serverCpuSeconds);
    if (span.warmupNanos() - warm.toNanos() > TimeUnit.SECONDS.toNanos(1)) {
      System.err.printf(
          "estuary bench: the warm-up lasted %.1f s, until every client's first answer%n",
          span.warmupNanos() / 1e9);
    }
    List<LatencyStats> parts = clients.stream().map(c -> c.latencies).toList();
    Registrations registrations =
        scenario != Scenario.register
            ? null
            : new Registrations(
                LatencyStats.summarise(clients.stream().map(c -> c.registrant.put).toList()),
                LatencyStats.summarise(clients.stream().map(c -> c.registrant.poll).toList()),
                clients.stream().mapToLong(c -> c.registrant.assigningPolls).sum());
    Map<String, long[]> perUrl = new LinkedHashMap<>();
    for (String u : urls) {
      perUrl.putIfAbsent(u, new long[2]);
    }
    for (Client c : clients) {
      long[] counts = perUrl.get(scenario == Scenario.register ? url : urls.get(c.urlIndex));
      counts[0] += c.ok;
      counts[1] += c.errors;
    }
    return new Result(
        span.ok(),
        span.errors(),
        span.errorKinds(),
        span.seconds(),
        LatencyStats.summarise(parts),
        span.cpuSeconds(),
        registrations,
        perUrl);
  }

  private double serverCpuSeconds() {
    if (metricsUrl == null) {
      return Double.NaN;
    }
    try {
      URI m = URI.create(metricsUrl);
      try (HttpsConnection c =
          new HttpsConnection(
              anonymousTls, m.getHost(), m.getPort() < 0 ? 443 : m.getPort(), 10_000)) {
        HttpsConnection.Response r = c.get(m.getRawPath());
        if (r.status() != 200) {
          return Double.NaN;
        }
        for (String line : new String(r.body(), StandardCharsets.UTF_8).split("\n")) {
          if (line.startsWith("process_cpu_seconds_total ")) {
            return Double.parseDouble(line.substring(line.indexOf(' ') + 1).trim());
          }
        }
      }
    } catch (Exception e) {
      System.err.println(
          "estuary bench: cannot read server metrics at " + metricsUrl + ": " + e.getMessage());
    }
    return Double.NaN;
  }

  private void report(Result r, double cpuPerOp) throws Exception {
    double throughput = r.ok / r.seconds;
    LatencyStats.Summary l = r.latency;
    System.out.printf(
        "scenario    %s (%s, concurrency %d, %s)%n", scenario, connections(), concurrency, auth);
    System.out.printf(
        "requests    %d ok, %d errors in %.1f s%s%n",
        r.ok, r.errors, r.seconds, r.errorKinds.isEmpty() ? "" : " " + r.errorKinds);
    System.out.printf("throughput  %.1f /s%n", throughput);
    System.out.printf(
        "latency ms  p50 %.2f  p95 %.2f  p99 %.2f  max %.2f%n",
        l.p50() / 1e6, l.p95() / 1e6, l.p99() / 1e6, l.max() / 1e6);
    Registrations g = r.registrations;
    if (g != null) {
      System.out.printf(
          "PUT ms      p50 %.2f  p95 %.2f  p99 %.2f  max %.2f%n",
          g.put.p50() / 1e6, g.put.p95() / 1e6, g.put.p99() / 1e6, g.put.max() / 1e6);
      System.out.printf(
          "poll ms     p50 %.2f  p95 %.2f  p99 %.2f  max %.2f%n",
          g.poll.p50() / 1e6, g.poll.p95() / 1e6, g.poll.p99() / 1e6, g.poll.max() / 1e6);
      System.out.printf(
          "devices     %d (%s0..%d), %d immediate poll(s) said assigning%n",
          devices, registrationPrefix, devices - 1, g.assigningPolls);
    }
    if (r.perUrl.size() > 1) {
      r.perUrl.forEach(
          (u, n) -> System.out.printf("per URL     %d ok, %d errors  %s%n", n[0], n[1], u));
    }
    if (!Double.isNaN(cpuPerOp)) {
      System.out.printf("server CPU  %.3f ms per operation%n", cpuPerOp * 1e3);
    }
    if (json != null) {
      ObjectNode o = JSON.createObjectNode();
      o.put("scenario", scenario.name())
          .put(
              "mode",
              !newConnection ? "keep-alive" : resume ? "new-connection-resumed" : "new-connection")
          .put("concurrency", concurrency)
          .put("auth", auth.name())
          .put("url", url)
          .put("ok", r.ok)
          .put("errors", r.errors)
          .put("seconds", r.seconds)
          .put("throughput", throughput)
          .put("p50_ms", l.p50() / 1e6)
          .put("p95_ms", l.p95() / 1e6)
          .put("p99_ms", l.p99() / 1e6)
          .put("max_ms", l.max() / 1e6);
      ObjectNode byUrl = o.putObject("per_url");
      r.perUrl.forEach((u, n) -> byUrl.putObject(u).put("ok", n[0]).put("errors", n[1]));
      ObjectNode kinds = o.putObject("error_kinds");
      r.errorKinds.forEach(kinds::put);
      if (g != null) {
        o.put("put_p50_ms", g.put.p50() / 1e6)
            .put("put_p99_ms", g.put.p99() / 1e6)
            .put("poll_p50_ms", g.poll.p50() / 1e6)
            .put("poll_p99_ms", g.poll.p99() / 1e6)
            .put("polls_assigning", g.assigningPolls)
            .put("devices", devices)
            .put("registration_id_prefix", registrationPrefix)
            .put("dps_url", dpsUrl)
            .put("id_scope", idScope);
      }
      if (!Double.isNaN(cpuPerOp)) {
        o.put("server_cpu_ms_per_op", cpuPerOp * 1e3);
      }
      Files.writeString(json, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(o));
    }
  }
}
