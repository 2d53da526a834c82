package dev.estuary.agent.check;

import dev.estuary.agent.config.AgentConfig;
import dev.estuary.agent.config.ConfigParseResult;
import dev.estuary.agent.config.EstAuth;
import dev.estuary.agent.config.EstCertificate;
import dev.estuary.agent.config.Provisioning;
import dev.estuary.agent.config.X509Credential;
import dev.estuary.agent.credential.Identities;
import dev.estuary.agent.credential.IssuedCertificateCheck;
import dev.estuary.agent.est.EstClient;
import dev.estuary.agent.est.EstException;
import dev.estuary.agent.est.EstIdentity;
import dev.estuary.agent.net.Https;
import dev.estuary.agent.state.AgentState;
import dev.estuary.agent.state.CredentialSchedule;
import dev.estuary.agent.state.ProvisioningState;
import dev.estuary.agent.state.StateFile;
import dev.estuary.agent.store.CertificateFiles;
import dev.estuary.agent.store.ConfiguredKeys;
import dev.estuary.agent.store.FileKeys;
import dev.estuary.agent.store.KeyHandle;
import dev.estuary.agent.store.TrustAnchors;
import dev.estuary.agent.store.TrustStore;
import dev.estuary.agent.text.Printable;
import dev.estuary.config.ConfigProblem;
import dev.estuary.pki.ClientTls;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.net.ssl.SSLException;

/**
 * {@code estuary agent check}, like {@code iotedge check}: is the configuration valid, is each EST
 * server reachable with its TLS certificate trusted and does {@code cacerts} parse, is the clock
 * close to the server's, is each credential present and valid (and when does it renew), are the key
 * files private, is the provisioning endpoint reachable. Read-only: it never writes the state
 * directory, so it is safe beside a running daemon.
 */
public final class AgentCheck {
  /** A clock this far from the EST server's makes certificates look not yet valid or expired. */
  static final Duration CLOCK_FAILURE = Duration.ofMinutes(5);

  /** A clock this far off is worth a warning. */
  static final Duration CLOCK_WARNING = Duration.ofSeconds(30);

  static final Duration NETWORK_TIMEOUT = Duration.ofSeconds(10);

  private final Clock clock;
  private final List<CheckResult> results = new ArrayList<>();

  private AgentCheck(Clock clock) {
    this.clock = clock;
  }

  /** Runs every check for the configuration {@code parsed} (read from {@code file}). */
  public static List<CheckResult> run(Path file, ConfigParseResult parsed, Clock clock) {
    AgentCheck check = new AgentCheck(clock);
    check.all(file, parsed);
    return List.copyOf(check.results);
  }

  private void all(Path file, ConfigParseResult parsed) {
    if (parsed.config().isEmpty()) {
      ConfigProblem first = parsed.errors().get(0);
      results.add(
          CheckResult.failed(
              "config",
              file + ": " + parsed.errors().size() + " error(s), first: " + first,
              "`estuary agent config apply -c " + file + "` lists every one"));
      return;
    }
    AgentConfig config = parsed.config().get();
    List<ConfigProblem> warnings = parsed.warnings();
    results.add(
        warnings.isEmpty()
            ? CheckResult.ok("config", file + " is valid")
            : CheckResult.warning(
                "config",
                file
                    + " is valid, with "
                    + warnings.size()
                    + " warning(s), first: "
                    + warnings.get(0),
                "`estuary agent config apply -c " + file + "` lists every one"));

    for (String broken : CredentialContents.problems(config)) {
      results.add(
          CheckResult.failed(
              "identity files",
              broken,
              "`estuary agent config apply -c " + file + "` reports the same"));
    }

    List<X509Certificate> trust;
    try {
      trust = TrustAnchors.load(config.est().trustedCerts(), config.agent().systemTrustStore());
      // and the roots the agent added through a root key update (docs/agent.md)
      List<X509Certificate> added =
          TrustStore.read(config.agent().stateDir().resolve(TrustStore.FILE));
      List<X509Certificate> all = new ArrayList<>(trust);
      all.addAll(added);
      trust = List.copyOf(all);
      results.add(
          CheckResult.ok(
              "trust",
              trust.size()
                  + " trusted certificate(s) for the servers"
                  + (added.isEmpty() ? "" : " (" + added.size() + " added by a root key update)")));
    } catch (IOException e) {
      results.add(
          CheckResult.failed(
              "trust", e.getMessage(), "trusted_certs must name readable PEM files"));
      return;
    }
    estServers(config, trust);
    Path stateDir = config.agent().stateDir();
    credentials(config, stateDir, trust);
    keyFiles(stateDir);
    provisioning(config, trust);
    assignment(config, stateDir);
  }

  /** What the state file says of the registration: assigned, pending, or not yet. */
  private void assignment(AgentConfig config, Path stateDir) {
    if (!(config.provisioning() instanceof Provisioning.Dps dps)) {
      return;
    }
    ProvisioningState s;
    try {
      s = StateFile.read(stateDir).flatMap(AgentState::provisioning).orElse(null);
    } catch (IOException e) {
      s = null;
    }
    String name = "registration " + dps.registrationId();
    if (s == null || s.assignedHub().isEmpty()) {
      results.add(
          CheckResult.failed(
              name,
              "not assigned to a hub yet"
                  + (s != null && s.lastError().isPresent()
                      ? ": " + Printable.of(s.lastError().get())
                      : ""),
              "the agent registers once it has the device identity; `estuary agent status` shows the last attempt"));
      return;
    }
    String assigned =
        "assigned to hub "
            + Printable.of(s.assignedHub().orElse(""))
            + " as device "
            + Printable.of(s.deviceId().orElse(""))
            + " ("
            + Printable.of(s.substatus().orElse(""))
            + ", "
            + s.registeredAt().map(Object::toString).orElse("")
            + ")";
    if (s.lastError().isPresent()) {
      results.add(
          CheckResult.warning(
              name,
              assigned + "; re-registration failing: " + Printable.of(s.lastError().get()),
              "the agent retries on its own; the assignment above stays in force meanwhile"));
    } else {
      results.add(CheckResult.ok(name, assigned));
    }
  }

  /** Each distinct EST URL: reachable, TLS trusted, cacerts parses; and the clock. */
  private void estServers(AgentConfig config, List<X509Certificate> trust) {
    EstClient est = new EstClient(trust, NETWORK_TIMEOUT, clock);
    Identities identities = new Identities(new ConfiguredKeys(Optional.empty()));
    Map<URI, EstAuth> urls = new LinkedHashMap<>();
    config.est().estIdentityUrl().ifPresent(u -> urls.put(u, config.est().auth()));
    for (EstCertificate c : config.estCertificates()) {
      urls.putIfAbsent(c.url(), c.auth());
    }
    boolean clockChecked;
    try {
      clockChecked = probeEach(est, identities, urls, trust);
    } finally {
      est.closeConnections();
    }
    if (!clockChecked) {
      results.add(
          CheckResult.warning(
              "clock",
              "not compared: no EST server answered with a Date header",
              "make sure the device's clock is set (NTP): certificates are checked against it"));
    }
  }

  /** Probes each EST URL (results added as it goes); whether the clock was checked against one. */
  private boolean probeEach(
      EstClient est, Identities identities, Map<URI, EstAuth> urls, List<X509Certificate> trust) {
    boolean clockChecked = false;
    for (Map.Entry<URI, EstAuth> e : urls.entrySet()) {
      String name = "EST " + e.getKey();
      try {
        EstIdentity who = identityForProbe(identities, e.getValue());
        EstClient.Probe probe = est.probe(e.getKey(), who);
        X509Certificate top = probe.caCerts().get(0);
        String found =
            "reachable, TLS trusted, cacerts gives "
                + probe.caCerts().size()
                + " certificate(s) ("
                + Printable.of(top.getSubjectX500Principal().getName())
                + ")";
        if (chainsToTrust(probe.caCerts(), trust)) {
          results.add(CheckResult.ok(name, found));
        } else {
          results.add(
              CheckResult.warning(
                  name,
                  found + ", none of which chains to trusted_certs",
                  "certificates from this label are refused unless they chain to trusted_certs: add the label's root to trusted_certs"));
        }
        if (!clockChecked && probe.serverDate().isPresent()) {
          clock(probe.serverDate().get(), e.getKey());
          clockChecked = true;
        }
      } catch (EstException ex) {
        results.add(CheckResult.failed(name, ex.getMessage(), hintFor(ex)));
      } catch (IOException ex) {
        results.add(
            CheckResult.failed(
                name,
                "cannot read the credentials for it: " + ex.getMessage(),
                "check identity_cert/identity_pk (or bootstrap_*) in the auth table"));
      }
    }
    return clockChecked;
  }

  /**
   * Whether some certificate of {@code caCerts} is, or chains (with the others) to, a trust anchor.
   */
  private boolean chainsToTrust(List<X509Certificate> caCerts, List<X509Certificate> trust) {
    IssuedCertificateCheck chains = new IssuedCertificateCheck(trust);
    for (X509Certificate c : caCerts) {
      if (trust.contains(c)) {
        return true;
      }
      List<X509Certificate> chain = new ArrayList<>();
      chain.add(c);
      caCerts.stream().filter(o -> !o.equals(c)).forEach(chain::add);
      try {
        chains.stored(chain, clock.instant());
        return true;
      } catch (IssuedCertificateCheck.Unacceptable e) {
        // try the next
      }
    }
    return false;
  }

  /**
   * Who asks for cacerts: the configured identity or bootstrap identity (a PKCS#11 key is not
   * opened by a read-only check), with Basic; most servers serve cacerts to anyone.
   */
  private static EstIdentity identityForProbe(Identities identities, EstAuth auth)
      throws IOException {
    Optional<X509Credential> cert = auth.identity().or(auth::bootstrapIdentity);
    if (cert.isPresent() && !cert.get().keyInToken()) {
      return identities.configured(cert.get(), auth.basic(), "configured identity");
    }
    return EstIdentity.basicOnly(auth.basic());
  }

  private static String hintFor(EstException e) {
    return switch (e.kind()) {
      case UNREACHABLE ->
          e.getMessage().contains("TLS")
              ? "does trusted_certs hold the root of the server's TLS certificate, and does the URL's host match it?"
              : "is the server running, and are the host and port right? (firewall, DNS)";
      case REFUSED ->
          e.status() == 404
              ? "the server has no such EST label: is the URL's label right (…/.well-known/est/<label>/)?"
              : "the server refused these credentials for this label: check the auth table and the label's gates";
      case RATE_LIMITED -> "the server asks to slow down; try again later";
      case SERVER_ERROR -> "the server failed: look at its log";
      case BAD_RESPONSE -> "is the URL an EST base URL (…/.well-known/est/<label>/)?";
    };
  }

  private void clock(Instant serverDate, URI from) {
    Duration skew = Duration.between(serverDate, clock.instant()).abs();
    String detail =
        "this device's clock is " + skew.toMillis() / 1000.0 + " s from " + from.getHost() + "'s";
    if (skew.compareTo(CLOCK_FAILURE) > 0) {
      results.add(
          CheckResult.failed(
              "clock",
              detail,
              "set the clock (NTP): certificates will look not yet valid or expired"));
    } else if (skew.compareTo(CLOCK_WARNING) > 0) {
      results.add(CheckResult.warning("clock", detail, "enable NTP"));
    } else {
      results.add(CheckResult.ok("clock", detail + " (HTTP Date has 1 s resolution)"));
    }
  }

  /** Each credential: present, key matching, valid, and when it renews. */
  private void credentials(AgentConfig config, Path stateDir, List<X509Certificate> trust) {
    AgentState state;
    try {
      state = StateFile.read(stateDir).orElse(null);
    } catch (IOException e) {
      state = null;
    }
    List<String> ids = new ArrayList<>();
    if (config.needsEstIdentity()
        || config.estCertificates().stream().anyMatch(c -> c.auth().identity().isPresent())) {
      ids.add(EstCertificate.EST_ID);
    }
    config.estCertificates().forEach(c -> ids.add(c.id()));
    CertificateFiles certs = new CertificateFiles(stateDir.resolve("certs"));
    Instant now = clock.instant();
    IssuedCertificateCheck chains = new IssuedCertificateCheck(trust);
    for (String id : ids) {
      CredentialSchedule entry = state == null ? null : state.schedule(id).orElse(null);
      // A preloaded EST identity (identity_cert) comes from the factory, not from these servers.
      boolean preloaded = EstCertificate.EST_ID.equals(id) && !config.needsEstIdentity();
      credential(id, certs, stateDir, entry, now, preloaded ? null : chains);
    }
  }

  private void credential(
      String id,
      CertificateFiles certs,
      Path stateDir,
      CredentialSchedule entry,
      Instant now,
      IssuedCertificateCheck chains) {
    Optional<List<X509Certificate>> chain;
    try {
      chain = certs.read(id);
    } catch (IOException e) {
      results.add(
          CheckResult.failed(
              id, e.getMessage(), "`estuary agent renew " + id + " --now` replaces it"));
      return;
    }
    if (chain.isEmpty()) {
      results.add(
          CheckResult.failed(
              id,
              "no certificate yet in " + certs.path(id),
              "start the agent (`estuary agent run`); `estuary agent status` shows the last error"));
      return;
    }
    X509Certificate leaf = chain.get().get(0);
    Instant notAfter = leaf.getNotAfter().toInstant();
    String subject = Printable.of(leaf.getSubjectX500Principal().getName());
    Optional<String> keyProblem = keyProblem(id, stateDir, leaf);
    if (keyProblem.isPresent()) {
      results.add(
          CheckResult.failed(
              id,
              subject + ": " + keyProblem.get(),
              "`estuary agent renew " + id + " --now` makes a new pair"));
      return;
    }
    if (chains != null) {
      try {
        chains.stored(chain.get(), now);
      } catch (IssuedCertificateCheck.Unacceptable e) {
        results.add(
            CheckResult.failed(
                id,
                subject
                    + " in "
                    + certs.path(id)
                    + ": "
                    + e.getMessage().replace("the certificate returned", "the certificate"),
                "the agent does not use it: it replaces it through the bootstrap identity, or `estuary agent renew "
                    + id
                    + " --now`"));
        return;
      }
    }
    if (now.isAfter(notAfter)) {
      results.add(
          CheckResult.failed(
              id,
              subject + " expired at " + notAfter,
              "the agent keeps trying; `estuary agent status` shows why it has not renewed"));
      return;
    }
    if (now.isBefore(leaf.getNotBefore().toInstant())) {
      results.add(
          CheckResult.failed(
              id,
              subject + " is not valid before " + leaf.getNotBefore().toInstant(),
              "check the clock"));
      return;
    }
    String validity =
        subject + ", valid until " + notAfter + " (" + human(Duration.between(now, notAfter)) + ")";
    if (entry == null || entry.renewalTime().isEmpty()) {
      results.add(
          CheckResult.ok(
              id,
              validity
                  + (EstCertificate.EST_ID.equals(id)
                      ? "; preloaded, not renewed by the agent"
                      : "")));
      return;
    }
    String renews = "; renews at " + entry.renewalTime().get();
    if (entry.suspended()) {
      results.add(
          CheckResult.warning(
              id,
              validity
                  + "; automatic renewal suspended: "
                  + Printable.of(entry.lastError().orElse("")),
              "look at the file, then `estuary agent renew " + id + " --now`"));
    } else if (entry.lastError().isPresent()) {
      results.add(
          CheckResult.warning(
              id,
              validity + renews + "; last attempt failed: " + Printable.of(entry.lastError().get()),
              "the agent retries on its own; fix the cause shown"));
    } else {
      results.add(CheckResult.ok(id, validity + renews));
    }
  }

  /** Why the key under {@code id} does not go with {@code leaf}; empty when it does. */
  private static Optional<String> keyProblem(String id, Path stateDir, X509Certificate leaf) {
    Path file = FileKeys.path(stateDir.resolve("keys"), id);
    if (Files.notExists(file)) {
      // A preloaded EST identity's key is the configured one, outside the state directory.
      return EstCertificate.EST_ID.equals(id)
          ? Optional.empty()
          : Optional.of("its key " + file + " is missing");
    }
    try {
      if (Files.readString(file, StandardCharsets.US_ASCII).startsWith("pkcs11:")) {
        return Optional
            .empty(); // a pointer to a token key: opening it needs the PIN; the daemon does
      }
      KeyHandle key = ConfiguredKeys.readPem(file);
      return Arrays.equals(key.publicKey().getEncoded(), leaf.getPublicKey().getEncoded())
          ? Optional.empty()
          : Optional.of("the key " + file + " does not match the certificate");
    } catch (IOException e) {
      return Optional.of("the key " + file + " is unreadable: " + e.getMessage());
    }
  }

  /** The key directory is 0700 and every key file 0600. */
  private void keyFiles(Path stateDir) {
    Path keys = stateDir.resolve("keys");
    if (Files.notExists(keys)) {
      return;
    }
    List<String> wrong = new ArrayList<>();
    try (Stream<Path> files = Files.list(keys)) {
      check(
          keys,
          Set.of(
              PosixFilePermission.OWNER_READ,
              PosixFilePermission.OWNER_WRITE,
              PosixFilePermission.OWNER_EXECUTE),
          wrong);
      for (Path f : files.toList()) {
        check(f, Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE), wrong);
      }
    } catch (IOException | UnsupportedOperationException e) {
      results.add(
          CheckResult.warning(
              "key files",
              "cannot check permissions in " + keys + ": " + e.getMessage(),
              "check them by hand"));
      return;
    }
    results.add(
        wrong.isEmpty()
            ? CheckResult.ok("key files", keys + " is 0700 and its files 0600")
            : CheckResult.failed(
                "key files",
                String.join("; ", wrong),
                "chmod 700 " + keys + " && chmod 600 " + keys + "/*"));
  }

  private static void check(Path p, Set<PosixFilePermission> allowed, List<String> wrong)
      throws IOException {
    Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
    if (!allowed.containsAll(perms)) {
      wrong.add(p + " is " + PosixFilePermissions.toString(perms));
    }
  }

  /**
   * The provisioning endpoint answers over TLS with a trusted certificate, and knows the ID scope:
   * an operation status request without a device certificate gets 401 from a DPS that knows the
   * scope (the agent's certificate is not needed to tell), 404 when the scope or the path is wrong.
   */
  private void provisioning(AgentConfig config, List<X509Certificate> trust) {
    if (!(config.provisioning() instanceof Provisioning.Dps dps)) {
      return;
    }
    String name = "provisioning " + dps.globalEndpoint();
    HttpClient client = null;
    try {
      client =
          HttpClient.newBuilder()
              .connectTimeout(NETWORK_TIMEOUT)
              .sslContext(ClientTls.context(trust, null, null))
              .build();
      URI probe =
          URI.create(
              dps.globalEndpoint().toString().replaceAll("/+$", "")
                  + "/"
                  + dps.idScope()
                  + "/registrations/"
                  + dps.registrationId()
                  + "/operations/estuary-agent-check?api-version=2021-10-01");
      HttpResponse<String> r =
          client.send(
              HttpRequest.newBuilder(probe).timeout(NETWORK_TIMEOUT).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      int status = r.statusCode();
      if (status == 404) {
        results.add(
            CheckResult.failed(
                name,
                "reachable, TLS trusted, but HTTP 404 for ID scope "
                    + dps.idScope()
                    + message(r.body()),
                "is id_scope right, and is global_endpoint a DPS-compatible endpoint (not an EST URL)?"));
      } else if (status >= 500) {
        results.add(
            CheckResult.failed(
                name,
                "reachable, TLS trusted, but HTTP " + status + message(r.body()),
                "the service failed: look at its log"));
      } else {
        results.add(
            CheckResult.ok(
                name,
                "reachable, TLS trusted, ID scope "
                    + dps.idScope()
                    + " known (HTTP "
                    + status
                    + (status == 401 ? " without a device certificate, as expected" : "")
                    + ")"));
      }
    } catch (IOException e) {
      results.add(
          CheckResult.failed(
              name,
              "unreachable: " + why(e),
              "is global_endpoint right, is the service running, and does trusted_certs (or the system store) hold its root?"));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      results.add(CheckResult.failed(name, "interrupted", "run the check again"));
    } catch (GeneralSecurityException e) {
      results.add(
          CheckResult.failed(name, "cannot set up TLS: " + e.getMessage(), "check trusted_certs"));
    } finally {
      if (client != null) {
        Https.close(client);
      }
    }
  }

  /**
   * Why a connection failed, in a few words from the cause chain (the JDK's often carry no
   * message).
   */
  static String why(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof HttpConnectTimeoutException) {
        return "no connection within " + NETWORK_TIMEOUT.toSeconds() + " s";
      }
      if (t instanceof HttpTimeoutException) {
        return "no answer within " + NETWORK_TIMEOUT.toSeconds() + " s";
      }
      if (t instanceof ConnectException) {
        return "connection refused";
      }
      if (t instanceof UnknownHostException) {
        return "unknown host " + t.getMessage();
      }
      if (t instanceof SSLException) {
        return "TLS failed: "
            + (t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage());
      }
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getMessage() != null && !t.getMessage().isBlank()) {
        return t.getMessage();
      }
    }
    return e.getClass().getSimpleName();
  }

  /** ": the message" of a DPS error body ({@code "message":"..."}), or nothing. */
  private static String message(String body) {
    Matcher m =
        Pattern.compile("\"message\"\\s*:\\s*\"([^\"]*)\"").matcher(body == null ? "" : body);
    return m.find() ? ": " + m.group(1) : "";
  }

  /** "3d 4h", "2h 5m", "4m 10s", "12s". */
  public static String human(Duration d) {
    long s = d.toSeconds();
    if (s >= 86_400) {
      return s / 86_400 + "d " + (s % 86_400) / 3600 + "h";
    }
    if (s >= 3600) {
      return s / 3600 + "h " + (s % 3600) / 60 + "m";
    }
    if (s >= 60) {
      return s / 60 + "m " + s % 60 + "s";
    }
    return s + "s";
  }
}
