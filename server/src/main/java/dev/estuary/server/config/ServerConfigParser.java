package dev.estuary.server.config;

import dev.estuary.config.ConfigProblem;
import dev.estuary.config.Durations;
import dev.estuary.config.Problems;
import dev.estuary.config.Section;
import dev.estuary.config.TomlFiles;
import dev.estuary.pki.KeyPolicy;
import dev.estuary.server.policy.NamePolicy;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.tomlj.TomlParseResult;

/**
 * Reads server.toml, reporting every mistake at once with the key's path (the toolkit of {@code
 * dev.estuary.config}). One method per section: a new key goes into its section's key set and its
 * method, a new section into {@link #TOP}, {@link #run} and a method of its own.
 */
public final class ServerConfigParser {
  private static final Set<String> TOP =
      Set.of(
          "est",
          "admin",
          "tls",
          "database",
          "keys",
          "labels",
          "provisioning",
          "connections",
          "revocation",
          "console");

  private final Path file;
  private final Path dir;
  private final Problems problems = new Problems();

  private ServerConfigParser(Path file) {
    this.file = file;
    Path parent = file.toAbsolutePath().getParent();
    this.dir = parent != null ? parent : Path.of(".").toAbsolutePath();
  }

  /** The configuration in {@code file}, or every problem found in it at once. */
  public static ServerConfig parse(Path file) throws ConfigException {
    return new ServerConfigParser(file).run();
  }

  private ServerConfig run() throws ConfigException {
    Optional<TomlParseResult> toml = TomlFiles.read(file, problems);
    if (toml.isEmpty()) {
      throw failure();
    }
    Section root = Section.root(toml.get(), problems, "not used by estuary server", true);
    root.checkKeys(TOP, Set.of());
    Est est = est(root);
    Admin admin = admin(root);
    Tls tls = tls(root);
    ServerConfig.Database database = database(root);
    ServerConfig.KeySource keys = keys(root);
    if (tls.provider().equals("conscrypt") && keys != null && keys.onToken()) {
      problems.error(
          "tls.provider",
          "conscrypt cannot sign with a PKCS#11 key; use provider = \"jdk\" with keys.source = \"pkcs11\"");
    }
    Map<String, LabelConfig> labels = labels(root, est.defaultLabel());
    String idScope = provisioning(root);
    ServerConfig.Connections connections = connections(root);
    ServerConfig.Revocation revocation = revocation(root);
    ServerConfig.Console console = console(root);
    if (problems.hasErrors()) {
      throw failure();
    }
    return new ServerConfig(
        dir,
        est.listen(),
        est.defaultLabel(),
        est.maxBodyBytes(),
        est.authFailuresPerMinute(),
        admin.listen(),
        admin.tokenHash(),
        tls.alias(),
        tls.provider(),
        database,
        keys,
        labels,
        idScope,
        connections,
        revocation,
        console);
  }

  private ConfigException failure() {
    return new ConfigException(
        file.toString(), problems.all().stream().map(ConfigProblem::toString).toList());
  }

  // [est] -----------------------------------------------------------------------------------

  private static final Set<String> EST =
      Set.of("listen", "default_label", "max_body_bytes", "auth_failures_per_minute");

  private record Est(
      ServerConfig.Listen listen,
      String defaultLabel,
      int maxBodyBytes,
      int authFailuresPerMinute) {}

  private Est est(Section root) {
    Section s = root.section("est", EST);
    return new Est(
        listen(s, "listen", "0.0.0.0:8443"),
        s.string("default_label").orElse(null),
        s.integer("max_body_bytes", 65536, 1024, 16 * 1024 * 1024),
        s.integer("auth_failures_per_minute", 30, 0, 1_000_000));
  }

  // [admin] ---------------------------------------------------------------------------------

  private static final Set<String> ADMIN = Set.of("listen", "token_hash");

  private record Admin(ServerConfig.Listen listen, String tokenHash) {}

  private Admin admin(Section root) {
    Section s = root.section("admin", ADMIN);
    return new Admin(listen(s, "listen", "127.0.0.1:9443"), s.string("token_hash").orElse(null));
  }

  // [tls] -----------------------------------------------------------------------------------

  private static final Set<String> TLS = Set.of("alias", "provider");

  /** {@code [tls] provider} when it is not set. */
  public static final String DEFAULT_TLS_PROVIDER = "auto";

  private record Tls(String alias, String provider) {}

  private Tls tls(Section root) {
    Section s = root.section("tls", TLS);
    return new Tls(
        s.string("alias").orElse("tls"),
        s.oneOf("provider", List.of("jdk", "conscrypt", "auto")).orElse(DEFAULT_TLS_PROVIDER));
  }

  // [database] ------------------------------------------------------------------------------

  private static final Set<String> DATABASE =
      Set.of("url", "user", "password", "password_file", "pool_size");

  private ServerConfig.Database database(Section root) {
    Section s = root.section("database", DATABASE);
    String url = s.string("url").orElse(null);
    if (url == null) {
      if (!s.has("url")) {
        s.error(
            "url",
            "missing; e.g. \"jdbc:postgresql://db.example:5432/estuary\" or \"jdbc:h2:file:./db/estuary\"");
      }
    } else if (!url.startsWith("jdbc:postgresql:") && !url.startsWith("jdbc:h2:")) {
      s.error("url", "'" + url + "' is neither jdbc:postgresql: nor jdbc:h2:");
    } else if (url.startsWith("jdbc:h2:file:./")) {
      url = "jdbc:h2:file:" + dir.resolve(url.substring("jdbc:h2:file:./".length()));
    }
    String password = s.string("password").orElse("");
    Optional<String> passwordFile = s.string("password_file");
    if (passwordFile.isPresent()) {
      password = readSecretFile(s, "password_file", passwordFile.get());
    }
    return new ServerConfig.Database(
        url, s.string("user").orElse(""), password, s.integer("pool_size", 16, 1, 500));
  }

  private String readSecretFile(Section s, String key, String name) {
    Path path = dir.resolve(name);
    try {
      return Files.readString(path).strip();
    } catch (NoSuchFileException e) {
      s.error(key, "cannot read '" + name + "': there is no " + path);
      return "";
    } catch (IOException e) {
      s.error(key, "cannot read '" + name + "': " + e.getMessage());
      return "";
    }
  }

  // [keys] ----------------------------------------------------------------------------------

  private static final Set<String> KEYS =
      Set.of(
          "source",
          "keystore",
          "passphrase_file",
          "pin_file",
          "library",
          "slot",
          "token_label",
          "signatures");

  /** Where the CA and TLS keys live; null when {@code source} is unusable (reported). */
  private ServerConfig.KeySource keys(Section root) {
    Section s = root.section("keys", KEYS);
    Optional<String> source = s.oneOf("source", List.of("keystore", "pkcs11"));
    if (source.isEmpty() && s.has("source")) {
      return null;
    }
    String signatures =
        s.oneOf("signatures", List.of("auto", "bouncycastle", "conscrypt")).orElse("auto");
    if (source.orElse("keystore").equals("keystore")) {
      Optional<String> ks = s.string("keystore");
      Optional<String> pf = s.string("passphrase_file");
      if (!s.has("keystore")) {
        s.error("keystore", "missing (path of the PKCS#12 file holding CA and TLS keys)");
      }
      if (!s.has("passphrase_file")) {
        s.error("passphrase_file", "missing (file holding the keystore passphrase)");
      }
      return new ServerConfig.KeySource(
          "keystore",
          ks.map(dir::resolve).orElse(null),
          pf.map(dir::resolve).orElse(null),
          null,
          -1,
          null,
          signatures);
    }
    Optional<String> lib = s.string("library");
    Optional<String> pin = s.string("pin_file");
    if (!s.has("library")) {
      s.error(
          "library", "missing (path of the PKCS#11 module, e.g. /usr/lib/softhsm/libsofthsm2.so)");
    }
    if (!s.has("pin_file")) {
      s.error("pin_file", "missing (file holding the token's user PIN)");
    }
    int slot = s.integer("slot", -1, -1, 1 << 30);
    String token = s.string("token_label").orElse(null);
    if (slot < 0 && token == null && !s.has("slot") && !s.has("token_label")) {
      s.error("set token_label or slot to name the PKCS#11 token");
    }
    return new ServerConfig.KeySource(
        "pkcs11",
        null,
        pin.map(dir::resolve).orElse(null),
        lib.map(Path::of).orElse(null),
        slot,
        token,
        signatures);
  }

  // [labels.NAME] ---------------------------------------------------------------------------

  private static final Set<String> LABEL =
      Set.of(
          "ca",
          "profile",
          "validity",
          "key_types",
          "auth",
          "trust",
          "reenrollment_forcing",
          "max_cn_length",
          "csr_attributes",
          "bind_names",
          "name_from",
          "san_types",
          "dns_pattern");
  private static final Set<String> EST_OPERATIONS =
      Set.of("cacerts", "simpleenroll", "simplereenroll", "csrattrs", "serverkeygen");
  private static final List<String> GATES = List.of("secret", "basic", "mtls");
  private static final Pattern LABEL_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

  private Map<String, LabelConfig> labels(Section root, String defaultLabel) {
    Map<String, LabelConfig> labels = new LinkedHashMap<>();
    Optional<Section> all = root.table("labels");
    if (all.isEmpty() || all.get().isEmpty()) {
      if (!root.has("labels") || all.isPresent()) {
        problems.error("labels", "no [labels.NAME] table; at least one label is needed");
      }
      return labels;
    }
    for (String name : all.get().keys()) {
      all.get()
          .table(name)
          .flatMap(t -> label(all.get(), name, t))
          .ifPresent(l -> labels.put(name, l));
    }
    Set<String> declared = all.get().keys();
    if (defaultLabel != null && !declared.contains(defaultLabel)) {
      problems.error(
          "est.default_label",
          "'" + defaultLabel + "' is not a configured label (" + String.join(", ", declared) + ")");
    }
    return labels;
  }

  private Optional<LabelConfig> label(Section labels, String name, Section s) {
    int before = problems.errorCount();
    if (!LABEL_NAME.matcher(name).matches()) {
      labels.error(name, "label names are 1-63 characters of letters, digits, '.', '_' and '-'");
    }
    if (EST_OPERATIONS.contains(name)) {
      labels.error(name, "an EST operation name cannot be a label");
    }
    s.checkKeys(LABEL, Set.of());
    String ca = s.string("ca").orElse(null);
    if (!s.has("ca")) {
      s.error("ca", "missing (the key-source alias of the issuing CA)");
    }
    String profile = s.oneOf("profile", List.of("identity", "edge-ca")).orElse("identity");
    Duration validity = s.duration("validity").orElse(Duration.ofDays(7));
    List<String> keyTypes = s.stringList("key_types", List.of("ec-p256", "ec-p384", "rsa-2048"));
    try {
      KeyPolicy.parse(keyTypes);
    } catch (IllegalArgumentException e) {
      s.error("key_types", e.getMessage());
    }
    List<String> auth = s.stringList("auth", List.of("mtls"));
    for (String a : auth) {
      if (!GATES.contains(a)) {
        s.error("auth", "'" + a + "' is not one of: " + String.join(", ", GATES));
      }
    }
    if (auth.isEmpty()) {
      s.error("auth", "empty; name at least one of: " + String.join(", ", GATES));
    }
    List<String> trust = s.stringList("trust", List.of());
    boolean forcing = s.bool("reenrollment_forcing").orElse(true);
    int maxCn = s.integer("max_cn_length", 64, 1, 64);
    List<String> attrs = s.stringList("csr_attributes", List.of());
    for (String oid : attrs) {
      if (!oid.matches("[0-2](\\.\\d+)+")) {
        s.error("csr_attributes", "'" + oid + "' is not a dotted OID");
      }
    }
    boolean bind = s.bool("bind_names").orElse(auth.contains("mtls") && !trust.isEmpty());
    String nameFrom = s.string("name_from").orElse(null);
    if (nameFrom != null
        && !nameFrom
            .replace("{subject.cn}", "")
            .replace("{serial}", "")
            .matches("[A-Za-z0-9._-]*")) {
      s.error(
          "name_from",
          "'" + nameFrom + "' may hold {subject.cn}, {serial}, letters, digits, '.', '_' and '-'");
    }
    List<String> sanTypes = s.stringList("san_types", List.of("dns"));
    for (String st : sanTypes) {
      if (!NamePolicy.SAN_TYPES.contains(st)) {
        s.error("san_types", "'" + st + "' is not one of: dns, ip, uri, email, other, dn");
      }
    }
    String dnsPattern = s.string("dns_pattern").orElse(NamePolicy.DEFAULT_DNS_PATTERN);
    try {
      Pattern.compile(dnsPattern);
    } catch (PatternSyntaxException e) {
      s.error("dns_pattern", "not a regular expression: " + e.getDescription());
    }
    if (problems.errorCount() > before) {
      return Optional.empty();
    }
    return Optional.of(
        new LabelConfig(
            name,
            ca,
            profile,
            validity,
            keyTypes,
            auth,
            trust,
            forcing,
            maxCn,
            attrs,
            bind,
            nameFrom,
            sanTypes,
            dnsPattern));
  }

  // [provisioning] --------------------------------------------------------------------------

  private static final Set<String> PROVISIONING = Set.of("id_scope");

  /** The ID scope, or null when the server does not serve provisioning. */
  private String provisioning(Section root) {
    Section s = root.section("provisioning", PROVISIONING);
    String idScope = s.string("id_scope").orElse(null);
    if (idScope != null && !idScope.matches("[A-Za-z0-9]{1,64}")) {
      s.error(
          "id_scope", "'" + idScope + "' is not 1-64 letters and digits (e.g. \"0ne0012AB34\")");
    }
    return idScope;
  }

  // [connections] ---------------------------------------------------------------------------

  private static final Set<String> CONNECTIONS =
      Set.of("header_timeout", "request_timeout", "max_per_address");

  private ServerConfig.Connections connections(Section root) {
    Section s = root.section("connections", CONNECTIONS);
    ServerConfig.Connections dflt = ServerConfig.Connections.DEFAULT;
    return new ServerConfig.Connections(
        s.duration("header_timeout", Duration.ofHours(1)).orElse(dflt.headerTimeout()),
        s.duration("request_timeout", Duration.ofHours(1)).orElse(dflt.requestTimeout()),
        s.integer("max_per_address", dflt.maxPerAddress(), 0, 1_000_000));
  }

  // [revocation] ----------------------------------------------------------------------------

  private static final Set<String> REVOCATION =
      Set.of("public_url", "crl_validity", "ocsp_validity", "ocsp_signer");

  /** {@code [revocation]}: the URLs put in issued certificates, CRL and OCSP lifetimes, signer. */
  private ServerConfig.Revocation revocation(Section root) {
    Section s = root.section("revocation", REVOCATION);
    ServerConfig.Revocation dflt = ServerConfig.Revocation.DEFAULT;
    String url = null;
    Optional<URI> u = s.url("public_url", Set.of("http", "https"));
    if (u.isPresent()) {
      if (u.get().getRawQuery() != null || u.get().getRawFragment() != null) {
        s.error(
            "public_url",
            "'"
                + u.get()
                + "' has a query or fragment; give the base URL (e.g."
                + " \"https://est.example.com:8443\")");
      }
      url = u.get().toString();
      url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
    return new ServerConfig.Revocation(
        url,
        lifetime(s, "crl_validity", dflt.crlValidity(), Duration.ofDays(31)),
        lifetime(s, "ocsp_validity", dflt.ocspValidity(), Duration.ofDays(7)),
        s.oneOf("ocsp_signer", List.of("ca", "delegated")).orElse(dflt.ocspSigner()));
  }

  /** A duration from 1 minute to {@code max}. */
  private static Duration lifetime(Section s, String key, Duration dflt, Duration max) {
    Optional<Duration> d = s.duration(key, max);
    if (d.isPresent() && d.get().compareTo(Duration.ofMinutes(1)) < 0) {
      s.error(key, "'" + Durations.format(d.get()) + "' is shorter than 1m");
      return dflt;
    }
    return d.orElse(dflt);
  }

  // [console] -------------------------------------------------------------------------------

  private static final Set<String> CONSOLE =
      Set.of("idle_timeout", "statistics_max_age", "failed_logins_per_minute");

  /** {@code [console]}: the web console's session idle timeout, overview age, login limit. */
  private ServerConfig.Console console(Section root) {
    Section s = root.section("console", CONSOLE);
    ServerConfig.Console dflt = ServerConfig.Console.DEFAULT;
    return new ServerConfig.Console(
        s.duration("idle_timeout", Duration.ofHours(24)).orElse(dflt.idleTimeout()),
        s.duration("statistics_max_age", Duration.ofHours(1)).orElse(dflt.statisticsMaxAge()),
        s.integer("failed_logins_per_minute", dflt.failedLoginsPerMinute(), 0, 10_000));
  }

  // values ----------------------------------------------------------------------------------

  /** A {@code host:port} (an IPv6 host in brackets). */
  private static ServerConfig.Listen listen(Section s, String key, String dflt) {
    String text = s.string(key).orElse(dflt);
    int colon = text.lastIndexOf(':');
    if (colon <= 0) {
      s.error(key, "'" + text + "' is not host:port");
      return new ServerConfig.Listen("0.0.0.0", 0);
    }
    String host = text.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    try {
      int port = Integer.parseInt(text.substring(colon + 1));
      if (port < 0 || port > 65535) {
        throw new NumberFormatException();
      }
      return new ServerConfig.Listen(host, port);
    } catch (NumberFormatException e) {
      s.error(key, "port in '" + text + "' is not 0-65535");
      return new ServerConfig.Listen(host, 0);
    }
  }
}
