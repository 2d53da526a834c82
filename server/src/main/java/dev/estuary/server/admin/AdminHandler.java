package dev.estuary.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.estuary.config.Durations;
import dev.estuary.server.app.CaCertificateService;
import dev.estuary.server.app.CertificateService;
import dev.estuary.server.app.ConsoleUserService;
import dev.estuary.server.app.CredentialService;
import dev.estuary.server.app.EnrollmentService;
import dev.estuary.server.app.NotPermitted;
import dev.estuary.server.app.Permission;
import dev.estuary.server.app.TokenService;
import dev.estuary.server.auth.Actor;
import dev.estuary.server.auth.SecretMinter;
import dev.estuary.server.http.LogSafe;
import dev.estuary.server.http.Refusal;
import dev.estuary.server.http.Replies;
import dev.estuary.server.store.CertificateRecord;
import dev.estuary.server.store.NameBinding;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.URIUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API on the admin port: JSON under {@code /api/v1}, bearer token. Health and the OpenAPI
 * description ({@code /api/v1/openapi.yaml}) need no token.
 *
 * <p>A route table ({@link Routes}: Jetty path specs per method) maps each operation to a few lines
 * that read the wire, call a service of {@code server.app} with the authenticated {@link Actor},
 * and write its answer as JSON. The services check the actor's role (403 here when it may not), do
 * the work, and are where each change is recorded. The token is checked by {@link TokenService}:
 * 401 for a missing, wrong, revoked or expired token, 429 past the failed-token limit per address.
 */
public final class AdminHandler extends Handler.Abstract {
  private static final Logger LOG = LoggerFactory.getLogger(AdminHandler.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_BODY = 64 * 1024;

  /** The longest a bootstrap secret (or an admin token) can be valid: 100 years. */
  static final Duration MAX_SECRET_LIFETIME = Duration.ofDays(36500);

  /** Where the OpenAPI description of this API is served, without a token. */
  public static final String OPENAPI_PATH = "/api/v1/openapi.yaml";

  private static final byte[] OPENAPI = openApi();

  private final TokenService tokens;
  private final CertificateService certificates;
  private final CredentialService credentials;
  private final Set<String> labels;
  private final Clock clock;
  private final Supplier<String> metrics;
  private final Routes routes = new Routes();

  /** {@code /api/v1/audit} and the records of admin authentication; null: not audited. */
  private final AuditAdmin audit;

  /**
   * @param tokens checks bearer tokens (and the failed-token limit) and manages stored tokens
   * @param metrics the Prometheus text for {@code /metrics} (served without a token), or null
   */
  public AdminHandler(
      TokenService tokens,
      CertificateService certificates,
      RevocationAdmin revocation,
      CredentialService credentials,
      EnrollmentService enrollments,
      CaCertificateService caCertificates,
      Set<String> labels,
      Clock clock,
      Supplier<String> metrics,
      AuditAdmin audit) {
    this(
        tokens,
        certificates,
        revocation,
        credentials,
        enrollments,
        caCertificates,
        labels,
        clock,
        metrics,
        audit,
        null);
  }

  /**
   * @param consoleUsers the web console's users ({@code /api/v1/console-users}); null: none
   */
  public AdminHandler(
      TokenService tokens,
      CertificateService certificates,
      RevocationAdmin revocation,
      CredentialService credentials,
      EnrollmentService enrollments,
      CaCertificateService caCertificates,
      Set<String> labels,
      Clock clock,
      Supplier<String> metrics,
      AuditAdmin audit,
      ConsoleUserService consoleUsers) {
    this.tokens = tokens;
    this.audit = audit;
    this.certificates = certificates;
    this.credentials = credentials;
    this.labels = Set.copyOf(labels);
    this.clock = clock;
    this.metrics = metrics;
    routes
        .add(
            "POST",
            "/api/v1/secrets",
            Permission.CREATE_BOOTSTRAP_SECRETS,
            c -> createSecret(c.actor(), c.body()))
        .add(
            "POST",
            "/api/v1/basic-users",
            Permission.CREATE_BASIC_USERS,
            c -> createBasicUser(c.actor(), c.body()));
    new CredentialAdmin(credentials, labels, clock).addTo(routes);
    routes
        .add(
            "GET",
            "/api/v1/certificates/{serial}",
            Permission.READ_CERTIFICATES,
            this::certificateBySerial)
        .add(
            "GET",
            "/api/v1/certificates",
            Permission.READ_CERTIFICATES,
            this::certificatesBySubject)
        .add("GET", "/api/v1/bindings", Permission.LIST_NAME_BINDINGS, this::bindings)
        .addRegex(
            "DELETE",
            "^/api/v1/bindings/(?<rest>.*)$",
            Permission.RELEASE_NAME_BINDINGS,
            this::releaseBinding);
    revocation.addTo(routes);
    new TokenAdmin(tokens, clock).addTo(routes);
    if (audit != null) {
      routes.add(
          "GET",
          "/api/v1/audit",
          Permission.READ_AUDIT_LOG,
          c -> audit.route("GET", "/audit", c.query()));
    }
    new ProvisioningAdmin(enrollments, caCertificates, labels, clock).addTo(routes);
    if (consoleUsers != null) {
      new ConsoleUserAdmin(consoleUsers).addTo(routes);
    }
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    String path = request.getHttpURI().getPath();
    if (path.equals("/metrics") && metrics != null) {
      Replies.send(
          response,
          callback,
          200,
          "text/plain; version=0.0.4; charset=utf-8",
          metrics.get().getBytes(StandardCharsets.UTF_8));
      return true;
    }
    if (!path.startsWith("/api/v1/")) {
      return false;
    }
    if (path.equals(OPENAPI_PATH) && request.getMethod().equals("GET")) {
      Replies.send(response, callback, 200, "application/yaml; charset=utf-8", OPENAPI);
      return true;
    }
    try {
      JsonNode answer = route(request, path);
      byte[] body = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(answer);
      Replies.send(response, callback, 200, "application/json", body);
    } catch (NotPermitted n) {
      LOG.info(
          "admin {} {} refused 403: {}", request.getMethod(), LogSafe.escape(path), n.getMessage());
      refuse(response, callback, Refusal.forbidden(n.getMessage()));
    } catch (Refusal r) {
      refuse(response, callback, r);
    } catch (Exception e) {
      String incident = UUID.randomUUID().toString();
      LOG.error(
          "admin {} {} failed (incident {})",
          request.getMethod(),
          LogSafe.escape(path),
          incident,
          e);
      ObjectNode err =
          JSON.createObjectNode()
              .put("error", "internal server error (incident " + incident + ")")
              .put("status", 500);
      Replies.send(
          response,
          callback,
          500,
          "application/json",
          err.toString().getBytes(StandardCharsets.UTF_8));
    }
    return true;
  }

  private static void refuse(Response response, Callback callback, Refusal r) {
    ObjectNode err = JSON.createObjectNode().put("error", r.reason()).put("status", r.status());
    HttpField[] extra =
        r instanceof TooManyFailures t
            ? new HttpField[] {new HttpField(HttpHeader.RETRY_AFTER, Long.toString(t.seconds))}
            : r instanceof MethodNotAllowed m
                ? new HttpField[] {new HttpField(HttpHeader.ALLOW, m.allow)}
                : new HttpField[0];
    Replies.send(
        response,
        callback,
        r.status(),
        "application/json",
        err.toString().getBytes(StandardCharsets.UTF_8),
        extra);
  }

  private JsonNode route(Request request, String path) throws Refusal, IOException, NotPermitted {
    String method = request.getMethod();
    if (path.equals("/api/v1/health")) {
      return JSON.createObjectNode().put("status", "ok").put("time", clock.instant().toString());
    }
    Actor actor = authenticate(request);
    Set<String> allowed = routes.methods(path);
    if (!allowed.isEmpty() && !allowed.contains(method)) {
      String allow = String.join(", ", allowed);
      throw new MethodNotAllowed(path + " takes " + allow + ", not " + method, allow);
    }
    Routes.Match match =
        routes
            .match(method, path)
            .orElseThrow(
                () ->
                    new Refusal(
                        404,
                        "no admin operation "
                            + method
                            + " "
                            + path
                            + " (the API is described at "
                            + OPENAPI_PATH
                            + ")"));
    // The role before the body is read; the service checks it again where it does the work.
    match.permission().check(actor);
    return match.operation().serve(new Routes.Call(request, actor, match.params()));
  }

  private JsonNode certificateBySerial(Routes.Call c) throws Refusal, NotPermitted {
    BigInteger serial = serial(c.param("serial"));
    return certificate(
        certificates
            .find(c.actor(), serial)
            .orElseThrow(
                () -> new Refusal(404, "no certificate with serial " + serial.toString(16))));
  }

  private JsonNode certificatesBySubject(Routes.Call c) throws Refusal, NotPermitted {
    String subject =
        c.query() == null ? null : URIUtil.decodePath(queryParam(c.query(), "subject"));
    if (subject == null) {
      throw Refusal.badRequest(
          "give ?subject=<RFC 4514 DN>, or GET /api/v1/certificates/{serial hex}");
    }
    ArrayNode list = JSON.createArrayNode();
    for (CertificateRecord r : certificates.findBySubject(c.actor(), subject, 100)) {
      list.add(certificate(r));
    }
    return list;
  }

  private JsonNode bindings(Routes.Call c) throws Refusal, NotPermitted {
    String label = c.query() == null ? null : queryParam(c.query(), "label");
    if (label != null && !labels.contains(label)) {
      throw new Refusal(
          404,
          "no label '"
              + label
              + "' (a label, or <label>:ca for its CA certificates); labels: "
              + String.join(", ", labels.stream().sorted().toList()));
    }
    ArrayNode list = JSON.createArrayNode();
    for (NameBinding b : credentials.listBindings(c.actor(), label, 1000)) {
      list.add(binding(b));
    }
    return list;
  }

  private JsonNode releaseBinding(Routes.Call c) throws Refusal, NotPermitted {
    String[] parts = c.param("rest").split("/", 2);
    if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
      throw Refusal.badRequest(
          "use DELETE /api/v1/bindings/{label}/{name} (the name percent-encoded)");
    }
    String label = parts[0];
    String name = URIUtil.decodePath(parts[1]);
    NameBinding b =
        credentials
            .releaseBinding(c.actor(), label, name)
            .orElseThrow(
                () ->
                    new Refusal(
                        404, "the name '" + name + "' of label '" + label + "' is not bound"));
    return binding(b).put("released", true);
  }

  private JsonNode createSecret(Actor actor, JsonNode b) throws Refusal, NotPermitted {
    String label = b.path("label").asText(null);
    if (label == null || !labels.contains(label)) {
      throw Refusal.badRequest(
          "'label' must be one of: " + String.join(", ", labels.stream().sorted().toList()));
    }
    Integer uses = null;
    if (b.hasNonNull("uses")) {
      JsonNode u = b.get("uses");
      // asInt() would wrap 4294967297 to 1: only a whole number that fits is taken.
      if (!u.isIntegralNumber() || !u.canConvertToInt() || u.intValue() < 1) {
        throw Refusal.badRequest(
            "'uses' must be a whole number from 1 to "
                + Integer.MAX_VALUE
                + ", was "
                + LogSafe.escape(u.toString()));
      }
      uses = u.intValue();
    }
    Instant expires = expiry(b, "secret");
    SecretMinter.MintedSecret s = credentials.createSecret(actor, label, uses, expires);
    ObjectNode out = JSON.createObjectNode();
    out.put("id", s.stored().id()).put("secret", s.value()).put("label", label);
    out.put("uses", uses == null ? null : uses.toString());
    out.put("expiresAt", expires == null ? null : expires.toString());
    return out;
  }

  /**
   * The body's {@code expires} duration (e.g. {@code 90d}) from now; null when absent.
   *
   * @param what "secret" or "token", for the message
   */
  Instant expiry(JsonNode b, String what) throws Refusal {
    return expiry(b, what, clock);
  }

  static Instant expiry(JsonNode b, String what, Clock clock) throws Refusal {
    if (!b.hasNonNull("expires")) {
      return null;
    }
    String text = b.get("expires").asText();
    Duration d;
    try {
      d = Durations.parse(text);
    } catch (IllegalArgumentException e) {
      throw Refusal.badRequest("'expires': " + LogSafe.escape(e.getMessage()));
    }
    if (d.compareTo(MAX_SECRET_LIFETIME) > 0) {
      throw Refusal.badRequest(
          "'expires': '"
              + LogSafe.escape(text)
              + "' is longer than the longest "
              + what
              + " lifetime, "
              + Durations.format(MAX_SECRET_LIFETIME));
    }
    return clock.instant().plus(d);
  }

  private JsonNode createBasicUser(Actor actor, JsonNode b) throws Refusal, NotPermitted {
    String username = b.path("username").asText("");
    if (!username.matches("[A-Za-z0-9._@-]{1,64}")) {
      throw Refusal.badRequest("'username' must be 1-64 letters, digits, '.', '_', '@' or '-'");
    }
    String label = b.path("label").asText("*");
    if (!label.equals("*") && !labels.contains(label)) {
      throw Refusal.badRequest(
          "'label' must be \"*\" (every label with Basic) or one of: "
              + String.join(", ", labels.stream().sorted().toList()));
    }
    String password = credentials.createBasicUser(actor, username, label);
    return JSON.createObjectNode()
        .put("username", username)
        .put("password", password)
        .put("label", label);
  }

  /** Who sent the request, by its bearer token; 401 or 429 when nobody (valid). */
  private Actor authenticate(Request request) throws Refusal {
    String auth = request.getHeaders().get(HttpHeader.AUTHORIZATION);
    String address = Request.getRemoteAddr(request);
    if (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
      if (audit != null) {
        audit.failed(address, "no bearer token");
      }
      throw new Refusal(401, "the admin API needs 'Authorization: Bearer <admin token>'");
    }
    String token = auth.substring(7).strip();
    switch (tokens.authenticate(address, token)) {
      case TokenService.Authenticated a -> {
        if (audit != null) {
          audit.authenticated(
              a.actor().auditName(), address, request.getMethod(), request.getHttpURI().getPath());
        }
        return a.actor();
      }
      case TokenService.TooManyFailures t -> {
        long seconds = Math.max(1, (t.retryAfter().toMillis() + 999) / 1000);
        throw new TooManyFailures(
            "too many wrong admin tokens from " + address + "; retry in " + seconds + " s",
            seconds);
      }
      case TokenService.Refused r -> {
        LOG.warn(
            "admin {} {} from {}: {}",
            request.getMethod(),
            LogSafe.escape(request.getHttpURI().getPath()),
            address,
            r.counted() ? "wrong admin token" : r.reason());
        if (audit != null) {
          audit.failed(address, r.counted() ? "the admin token is not valid" : r.reason());
        }
        throw new Refusal(401, r.reason());
      }
    }
  }

  /** 405 with Allow. */
  private static final class MethodNotAllowed extends Refusal {
    final String allow;

    MethodNotAllowed(String reason, String allow) {
      super(405, reason);
      this.allow = allow;
    }
  }

  /** 429 with Retry-After. */
  private static final class TooManyFailures extends Refusal {
    final long seconds;

    TooManyFailures(String reason, long seconds) {
      super(429, reason);
      this.seconds = seconds;
    }
  }

  static JsonNode body(Request request) throws IOException, Refusal {
    try (InputStream in = Request.asInputStream(request)) {
      byte[] b = in.readNBytes(MAX_BODY + 1);
      if (b.length > MAX_BODY) {
        throw new Refusal(413, "the request body is larger than " + MAX_BODY + " bytes");
      }
      if (b.length == 0) {
        return JSON.createObjectNode();
      }
      try {
        return JSON.readTree(b);
      } catch (IOException e) {
        throw Refusal.badRequest("the body is not JSON: " + e.getMessage());
      }
    }
  }

  /**
   * The OpenAPI description, read once from the classpath ({@code
   * dev/estuary/server/admin/openapi.yaml}).
   */
  private static byte[] openApi() {
    try (InputStream in = AdminHandler.class.getResourceAsStream("openapi.yaml")) {
      if (in == null) {
        throw new IllegalStateException("openapi.yaml is missing from the server jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static BigInteger serial(String hex) throws Refusal {
    try {
      return new BigInteger(hex.replace(":", ""), 16);
    } catch (NumberFormatException e) {
      throw Refusal.badRequest("'" + hex + "' is not a hexadecimal serial number");
    }
  }

  static String queryParam(String query, String name) {
    for (String kv : query.split("&")) {
      if (kv.startsWith(name + "=")) {
        return kv.substring(name.length() + 1).replace('+', ' ');
      }
    }
    return null;
  }

  private static ObjectNode binding(NameBinding b) {
    return JSON.createObjectNode()
        .put("label", b.label())
        .put("name", b.name())
        .put("principal", b.principal())
        .put("holder", b.description())
        .put("createdAt", b.createdAt().toString());
  }

  static ObjectNode certificate(CertificateRecord r) {
    ObjectNode n = JSON.createObjectNode();
    n.put("serial", r.serial().toString(16));
    n.put("subject", r.subject());
    n.put("issuer", r.issuer());
    n.put("label", r.label());
    n.put("notBefore", r.notBefore().toString());
    n.put("notAfter", r.notAfter().toString());
    n.put("keyAlgorithm", r.keyAlgorithm());
    n.put("sha256", r.sha256());
    n.put("gate", r.gate());
    n.put("requester", r.requester());
    n.put("issuedAt", r.issuedAt().toString());
    n.put("revokedAt", r.revokedAt() == null ? null : r.revokedAt().toString());
    n.put("revocationReason", r.revocationReason());
    return n;
  }
}
