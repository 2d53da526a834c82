package dev.estuary.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.estuary.server.auth.FailedAuthLimiter;
import dev.estuary.server.auth.SecretMinter;
import dev.estuary.server.auth.VerifiedCredentialCache;
import dev.estuary.server.config.Durations;
import dev.estuary.server.http.LogSafe;
import dev.estuary.server.http.Refusal;
import dev.estuary.server.http.Replies;
import dev.estuary.server.store.BindingStore;
import dev.estuary.server.store.CertificateRecord;
import dev.estuary.server.store.CertificateStore;
import dev.estuary.server.store.CredentialStore;
import dev.estuary.server.store.EnrollmentStore;
import dev.estuary.server.store.NameBinding;
import dev.estuary.server.store.RegistrationStore;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API on the admin port: JSON under {@code /api/v1}, bearer token. Health and the OpenAPI
 * description ({@code /api/v1/openapi.yaml}) need no token.
 */
public final class AdminHandler extends Handler.Abstract {
  private static final Logger LOG = LoggerFactory.getLogger(AdminHandler.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_BODY = 64 * 1024;

  /** The longest a bootstrap secret can be valid: 100 years. */
  static final java.time.Duration MAX_SECRET_LIFETIME = java.time.Duration.ofDays(36500);

  /** Where the OpenAPI description of this API is served, without a token. */
  public static final String OPENAPI_PATH = "/api/v1/openapi.yaml";

  private static final byte[] OPENAPI = openApi();

  private final String tokenHash;
  private final CertificateStore certificates;
  private final SecretMinter minter;
  private final Set<String> labels;
  private final Clock clock;
  private final VerifiedCredentialCache verifiedTokens;

  /**
   * Wrong tokens per client address, counted before the token is hashed (600k PBKDF2 rounds each).
   */
  private final FailedAuthLimiter failedTokens;

  private final java.util.function.Supplier<String> metrics;
  private final ProvisioningAdmin provisioning;
  private final CredentialAdmin credentialAdmin;
  private final BindingStore bindings;

  /** Revocation and devices (RevocationAdmin); null until {@link #serving(RevocationAdmin)}. */
  private volatile RevocationAdmin revocationAdmin;

  /**
   * @param metrics the Prometheus text for {@code /metrics} (served without a token), or null
   * @param enrollments CA certificates, enrollments and hubs of the provisioning service
   * @param registrations its registration records
   * @param credentials bootstrap secrets and Basic users, listed, disabled and deleted here
   */
  public AdminHandler(
      String tokenHash,
      CertificateStore certificates,
      SecretMinter minter,
      Set<String> labels,
      Clock clock,
      java.util.function.Supplier<String> metrics,
      EnrollmentStore enrollments,
      RegistrationStore registrations,
      BindingStore bindings,
      SecureRandom random,
      CredentialStore credentials) {
    this(
        tokenHash,
        certificates,
        minter,
        labels,
        clock,
        metrics,
        enrollments,
        registrations,
        bindings,
        random,
        credentials,
        new FailedAuthLimiter(clock, 10, java.time.Duration.ofMinutes(1)));
  }

  /**
   * @param failedTokens limits wrong bearer tokens per client address
   */
  public AdminHandler(
      String tokenHash,
      CertificateStore certificates,
      SecretMinter minter,
      Set<String> labels,
      Clock clock,
      java.util.function.Supplier<String> metrics,
      EnrollmentStore enrollments,
      RegistrationStore registrations,
      BindingStore bindings,
      SecureRandom random,
      CredentialStore credentials,
      FailedAuthLimiter failedTokens) {
    this.failedTokens = failedTokens;
    this.metrics = metrics;
    this.bindings = bindings;
    this.credentialAdmin = new CredentialAdmin(credentials, labels, clock);
    this.provisioning = new ProvisioningAdmin(enrollments, registrations, labels, clock, random);
    this.tokenHash = tokenHash;
    this.certificates = certificates;
    this.minter = minter;
    this.labels = Set.copyOf(labels);
    this.clock = clock;
    this.verifiedTokens = new VerifiedCredentialCache(clock, java.time.Duration.ofMinutes(5));
  }

  /** Serves the revocation and device operations too. */
  public AdminHandler serving(RevocationAdmin revocation) {
    this.revocationAdmin = revocation;
    return this;
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
      JsonNode answer = route(request, path.substring("/api/v1".length()));
      byte[] body = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(answer);
      Replies.send(response, callback, 200, "application/json", body);
    } catch (Refusal r) {
      ObjectNode err = JSON.createObjectNode().put("error", r.reason()).put("status", r.status());
      org.eclipse.jetty.http.HttpField[] extra =
          r instanceof TooManyFailures t
              ? new org.eclipse.jetty.http.HttpField[] {
                new org.eclipse.jetty.http.HttpField(
                    HttpHeader.RETRY_AFTER, Long.toString(t.seconds))
              }
              : new org.eclipse.jetty.http.HttpField[0];
      Replies.send(
          response,
          callback,
          r.status(),
          "application/json",
          err.toString().getBytes(StandardCharsets.UTF_8),
          extra);
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

  private JsonNode route(Request request, String path) throws Refusal, IOException {
    String method = request.getMethod();
    if (path.equals("/health")) {
      return JSON.createObjectNode().put("status", "ok").put("time", clock.instant().toString());
    }
    authorize(request);
    if (path.equals("/secrets") && method.equals("POST")) {
      return createSecret(body(request));
    }
    if (path.equals("/basic-users") && method.equals("POST")) {
      return createBasicUser(body(request));
    }
    JsonNode credential = credentialAdmin.route(method, path, request.getHttpURI().getQuery());
    if (credential != null) {
      return credential;
    }
    RevocationAdmin revocation = revocationAdmin;
    JsonNode revoked = revocation == null ? null : revocation.route(request, method, path);
    if (revoked != null) {
      return revoked;
    }
    if (path.startsWith("/certificates/")) {
      String rest = path.substring("/certificates/".length());
      if (method.equals("GET")) {
        BigInteger serial = serial(rest);
        return certificate(
            certificates
                .findBySerial(serial)
                .orElseThrow(
                    () -> new Refusal(404, "no certificate with serial " + serial.toString(16))));
      }
    }
    if (path.equals("/bindings") && method.equals("GET")) {
      String query = request.getHttpURI().getQuery();
      String label = query == null ? null : queryParam(query, "label");
      if (label != null && !labels.contains(label)) {
        throw new Refusal(
            404,
            "no label '"
                + label
                + "' (a label, or <label>:ca for its CA certificates); labels: "
                + String.join(", ", labels.stream().sorted().toList()));
      }
      ArrayNode list = JSON.createArrayNode();
      for (NameBinding b : bindings.list(label, 1000)) {
        list.add(binding(b));
      }
      return list;
    }
    if (path.startsWith("/bindings/") && method.equals("DELETE")) {
      String[] parts = path.substring("/bindings/".length()).split("/", 2);
      if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
        throw Refusal.badRequest(
            "use DELETE /api/v1/bindings/{label}/{name} (the name percent-encoded)");
      }
      String label = parts[0];
      String name = org.eclipse.jetty.util.URIUtil.decodePath(parts[1]);
      NameBinding b =
          bindings
              .find(label, name)
              .orElseThrow(
                  () ->
                      new Refusal(
                          404, "the name '" + name + "' of label '" + label + "' is not bound"));
      bindings.release(label, name);
      LOG.info(
          "released binding label={} name=\"{}\" principal={}",
          label,
          name.replaceAll("\\p{Cntrl}", "?"),
          b.principal());
      return binding(b).put("released", true);
    }
    if (path.equals("/certificates") && method.equals("GET")) {
      String subject =
          request.getHttpURI().getQuery() == null
              ? null
              : org.eclipse.jetty.util.URIUtil.decodePath(
                  queryParam(request.getHttpURI().getQuery(), "subject"));
      if (subject == null) {
        throw Refusal.badRequest(
            "give ?subject=<RFC 4514 DN>, or GET /api/v1/certificates/{serial hex}");
      }
      ArrayNode list = JSON.createArrayNode();
      for (CertificateRecord r : certificates.findBySubject(subject, 100)) {
        list.add(certificate(r));
      }
      return list;
    }
    JsonNode provisioned = provisioning.route(request, method, path);
    if (provisioned != null) {
      return provisioned;
    }
    throw new Refusal(
        404,
        "no admin operation "
            + method
            + " /api/v1"
            + path
            + " (the API is described at "
            + OPENAPI_PATH
            + ")");
  }

  private JsonNode createSecret(JsonNode b) throws Refusal {
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
    Instant expires = null;
    if (b.hasNonNull("expires")) {
      String text = b.get("expires").asText();
      java.time.Duration d;
      try {
        d = Durations.parse(text);
      } catch (IllegalArgumentException e) {
        throw Refusal.badRequest("'expires': " + LogSafe.escape(e.getMessage()));
      }
      if (d.compareTo(MAX_SECRET_LIFETIME) > 0) {
        throw Refusal.badRequest(
            "'expires': '"
                + LogSafe.escape(text)
                + "' is longer than the longest secret lifetime, "
                + Durations.format(MAX_SECRET_LIFETIME));
      }
      expires = clock.instant().plus(d);
    }
    SecretMinter.MintedSecret s = minter.bootstrapSecret(label, uses, expires);
    LOG.info(
        "created bootstrap secret id={} label={} uses={} expires={}",
        s.stored().id(),
        label,
        uses,
        expires);
    ObjectNode out = JSON.createObjectNode();
    out.put("id", s.stored().id()).put("secret", s.value()).put("label", label);
    out.put("uses", uses == null ? null : uses.toString());
    out.put("expiresAt", expires == null ? null : expires.toString());
    return out;
  }

  private JsonNode createBasicUser(JsonNode b) throws Refusal {
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
    String password = minter.basicUser(username, label);
    LOG.info("created or replaced Basic user {} for label {}", username, label);
    return JSON.createObjectNode()
        .put("username", username)
        .put("password", password)
        .put("label", label);
  }

  private void authorize(Request request) throws Refusal {
    String auth = request.getHeaders().get(HttpHeader.AUTHORIZATION);
    if (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw new Refusal(401, "the admin API needs 'Authorization: Bearer <admin token>'");
    }
    // Before the hash: each wrong token costs a 600k-iteration PBKDF2.
    String address = Request.getRemoteAddr(request);
    java.time.Duration wait = failedTokens.waitFor(address);
    if (!wait.isZero()) {
      long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
      throw new TooManyFailures(
          "too many wrong admin tokens from " + address + "; retry in " + seconds + " s", seconds);
    }
    String token = auth.substring(7).strip();
    if (tokenHash == null || !verifiedTokens.verify("admin", token, tokenHash)) {
      failedTokens.failed(address);
      LOG.warn(
          "admin {} {} from {}: wrong admin token",
          request.getMethod(),
          LogSafe.escape(request.getHttpURI().getPath()),
          address);
      throw new Refusal(401, "the admin token is not valid");
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
      throw new java.io.UncheckedIOException(e);
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
