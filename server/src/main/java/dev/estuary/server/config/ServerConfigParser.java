package dev.estuary.server.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tomlj.Toml;
import org.tomlj.TomlArray;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlTable;

/** Reads server.toml, reporting every mistake at once with the key's path. */
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
          "revocation");
  private static final Set<String> CONNECTIONS =
      Set.of("header_timeout", "request_timeout", "max_per_address");
  private static final Set<String> EST =
      Set.of("listen", "default_label", "max_body_bytes", "auth_failures_per_minute");
  private static final Set<String> ADMIN = Set.of("listen", "token_hash");
  private static final Set<String> TLS = Set.of("alias", "provider");
  private static final Set<String> DATABASE =
      Set.of("url", "user", "password", "password_file", "pool_size");
  private static final Set<String> KEYS =
      Set.of("source", "keystore", "passphrase_file", "pin_file", "library", "slot", "token_label");
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
  private static final Set<String> PROVISIONING = Set.of("id_scope");
  private static final Set<String> REVOCATION =
      Set.of("public_url", "crl_validity", "ocsp_validity", "ocsp_signer");
  private static final Set<String> GATES = Set.of("secret", "basic", "mtls");

  private final Path file;
  private final Path dir;
  private final List<String> problems = new ArrayList<>();

  private ServerConfigParser(Path file) {
    this.file = file;
    Path parent = file.toAbsolutePath().getParent();
    this.dir = parent != null ? parent : Path.of(".").toAbsolutePath();
  }

  public static ServerConfig parse(Path file) throws ConfigException {
    return new ServerConfigParser(file).run();
  }

  private ServerConfig run() throws ConfigException {
    TomlParseResult toml;
    try {
      toml = Toml.parse(file);
    } catch (IOException e) {
      throw new ConfigException(
          file.toString(), List.of("cannot read the file: " + e.getMessage()));
    } catch (RuntimeException | AssertionError e) {
      // tomlj's own failure on malformed input (found by ServerConfigFuzzTest: "[es#\b\0..."
      // trips an internal assertion): still a syntax problem of the file, not a crash.
      throw new ConfigException(
          file.toString(),
          List.of("TOML syntax: the file cannot be parsed (" + e.getMessage() + ")"));
    }
    if (toml.hasErrors()) {
      List<String> errs = toml.errors().stream().map(e -> "TOML syntax: " + e.toString()).toList();
      throw new ConfigException(file.toString(), errs);
    }
    unknownKeys(toml, "", TOP);
    TomlTable est = table(toml, "est");
    ServerConfig.Listen estListen = listen(est, "est.listen", "0.0.0.0:8443");
    String defaultLabel = string(est, "est.default_label", null);
    int maxBody = (int) number(est, "est.max_body_bytes", 65536, 1024, 16 * 1024 * 1024);
    int authFailures = (int) number(est, "est.auth_failures_per_minute", 30, 0, 1_000_000);

    TomlTable admin = table(toml, "admin");
    ServerConfig.Listen adminListen = listen(admin, "admin.listen", "127.0.0.1:9443");
    String tokenHash = string(admin, "admin.token_hash", null);

    TomlTable tls = table(toml, "tls");
    String tlsAlias = string(tls, "tls.alias", "tls");
    String tlsProvider = string(tls, "tls.provider", "jdk");
    if (!tlsProvider.equals("jdk") && !tlsProvider.equals("conscrypt")) {
      problems.add("tls.provider: '" + tlsProvider + "' is not one of: jdk, conscrypt");
    }

    TomlTable db = table(toml, "database");
    String url = string(db, "database.url", null);
    if (url == null) {
      problems.add(
          "database.url: missing; e.g. \"jdbc:postgresql://db.example:5432/estuary\" or \"jdbc:h2:file:./db/estuary\"");
    } else if (!url.startsWith("jdbc:postgresql:") && !url.startsWith("jdbc:h2:")) {
      problems.add("database.url: '" + url + "' is neither jdbc:postgresql: nor jdbc:h2:");
    } else if (url.startsWith("jdbc:h2:file:./")) {
      url = "jdbc:h2:file:" + dir.resolve(url.substring("jdbc:h2:file:./".length()));
    }
    String password = string(db, "database.password", "");
    String passwordFile = string(db, "database.password_file", null);
    if (passwordFile != null) {
      password = readSecretFile("database.password_file", passwordFile);
    }
    ServerConfig.Database database =
        new ServerConfig.Database(
            url,
            string(db, "database.user", ""),
            password,
            (int) number(db, "database.pool_size", 16, 1, 500));

    TomlTable keys = table(toml, "keys");
    String source = string(keys, "keys.source", "keystore");
    ServerConfig.KeySource keySource = null;
    switch (source) {
      case "keystore" -> {
        String ks = string(keys, "keys.keystore", null);
        String pf = string(keys, "keys.passphrase_file", null);
        if (ks == null) {
          problems.add("keys.keystore: missing (path of the PKCS#12 file holding CA and TLS keys)");
        }
        if (pf == null) {
          problems.add("keys.passphrase_file: missing (file holding the keystore passphrase)");
        }
        keySource =
            new ServerConfig.KeySource(
                "keystore",
                ks == null ? null : dir.resolve(ks),
                pf == null ? null : dir.resolve(pf),
                null,
                -1,
                null);
      }
      case "pkcs11" -> {
        String lib = string(keys, "keys.library", null);
        String pin = string(keys, "keys.pin_file", null);
        if (lib == null) {
          problems.add(
              "keys.library: missing (path of the PKCS#11 module, e.g. /usr/lib/softhsm/libsofthsm2.so)");
        }
        if (pin == null) {
          problems.add("keys.pin_file: missing (file holding the token's user PIN)");
        }
        int slot = (int) number(keys, "keys.slot", -1, -1, 1 << 30);
        String token = string(keys, "keys.token_label", null);
        if (slot < 0 && token == null) {
          problems.add("keys: set token_label or slot to name the PKCS#11 token");
        }
        keySource =
            new ServerConfig.KeySource(
                "pkcs11",
                null,
                pin == null ? null : dir.resolve(pin),
                lib == null ? null : Path.of(lib),
                slot,
                token);
      }
      default -> problems.add("keys.source: '" + source + "' is not one of: keystore, pkcs11");
    }

    if (tlsProvider.equals("conscrypt") && source.equals("pkcs11")) {
      problems.add(
          "tls.provider: conscrypt cannot sign with a PKCS#11 key; use provider = \"jdk\" with keys.source = \"pkcs11\"");
    }
    Map<String, LabelConfig> labels = new LinkedHashMap<>();
    TomlTable labelsTable = tableOrNull(toml, List.of("labels"), "labels");
    if (labelsTable == null || labelsTable.isEmpty()) {
      problems.add("labels: no [labels.NAME] table; at least one label is needed");
    } else {
      for (String name : labelsTable.keySet()) {
        TomlTable t =
            tableOrNull(labelsTable, List.of(name), "labels." + name); // a name, not a dotted path
        if (t == null) {
          continue; // tableOrNull named the problem
        }
        LabelConfig lc = label(name, t);
        if (lc != null) {
          labels.put(name, lc);
        }
      }
    }
    Set<String> declared = labelsTable == null ? Set.of() : labelsTable.keySet();
    if (defaultLabel != null && !declared.isEmpty() && !declared.contains(defaultLabel)) {
      problems.add(
          "est.default_label: '"
              + defaultLabel
              + "' is not a configured label ("
              + String.join(", ", declared)
              + ")");
    }
    TomlTable provisioning = table(toml, "provisioning");
    String idScope = string(provisioning, "provisioning.id_scope", null);
    if (idScope != null && !idScope.matches("[A-Za-z0-9]{1,64}")) {
      problems.add(
          "provisioning.id_scope: '"
              + idScope
              + "' is not 1-64 letters and digits (e.g. \"0ne0012AB34\")");
    }
    TomlTable conn = table(toml, "connections");
    ServerConfig.Connections dflt = ServerConfig.Connections.DEFAULT;
    ServerConfig.Connections connections =
        new ServerConfig.Connections(
            duration(conn, "connections.header_timeout", dflt.headerTimeout()),
            duration(conn, "connections.request_timeout", dflt.requestTimeout()),
            (int) number(conn, "connections.max_per_address", dflt.maxPerAddress(), 0, 1_000_000));
    ServerConfig.Revocation revocation = revocation(table(toml, "revocation"));
    if (!problems.isEmpty()) {
      throw new ConfigException(file.toString(), problems);
    }
    return new ServerConfig(
        dir,
        estListen,
        defaultLabel,
        maxBody,
        authFailures,
        adminListen,
        tokenHash,
        tlsAlias,
        tlsProvider,
        database,
        keySource,
        labels,
        idScope,
        connections,
        revocation);
  }

  /** {@code [revocation]}: the URLs put in issued certificates, CRL and OCSP lifetimes, signer. */
  private ServerConfig.Revocation revocation(TomlTable t) {
    ServerConfig.Revocation dflt = ServerConfig.Revocation.DEFAULT;
    String url = string(t, "revocation.public_url", null);
    if (url != null) {
      try {
        java.net.URI u = new java.net.URI(url);
        if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme()))
            || u.getHost() == null
            || u.getRawQuery() != null
            || u.getRawFragment() != null) {
          problems.add(
              "revocation.public_url: '"
                  + url
                  + "' is not an http(s) URL with a host and no query (e.g."
                  + " \"https://est.example.com:8443\")");
        }
      } catch (java.net.URISyntaxException e) {
        problems.add("revocation.public_url: '" + url + "' is not a URL: " + e.getReason());
      }
      url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
    java.time.Duration crl =
        lifetime(t, "revocation.crl_validity", dflt.crlValidity(), java.time.Duration.ofDays(31));
    java.time.Duration ocsp =
        lifetime(t, "revocation.ocsp_validity", dflt.ocspValidity(), java.time.Duration.ofDays(7));
    String signer = string(t, "revocation.ocsp_signer", dflt.ocspSigner());
    if (!signer.equals("ca") && !signer.equals("delegated")) {
      problems.add("revocation.ocsp_signer: '" + signer + "' is not one of: ca, delegated");
    }
    return new ServerConfig.Revocation(url, crl, ocsp, signer);
  }

  /** A duration from 1 minute to {@code max}. */
  private java.time.Duration lifetime(
      TomlTable t, String path, java.time.Duration dflt, java.time.Duration max) {
    String text = string(t, path, null);
    if (text == null) {
      return dflt;
    }
    try {
      java.time.Duration d = Durations.parse(text);
      if (d.compareTo(java.time.Duration.ofMinutes(1)) < 0 || d.compareTo(max) > 0) {
        problems.add(path + ": '" + text + "' is not between 1m and " + Durations.format(max));
        return dflt;
      }
      return d;
    } catch (IllegalArgumentException e) {
      problems.add(path + ": " + e.getMessage());
      return dflt;
    }
  }

  private LabelConfig label(String name, TomlTable t) {
    String p = "labels." + name + ".";
    if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,62}")) {
      problems.add(
          "labels."
              + name
              + ": label names are 1-63 characters of letters, digits, '.', '_' and '-'");
    }
    if (Set.of("cacerts", "simpleenroll", "simplereenroll", "csrattrs", "serverkeygen")
        .contains(name)) {
      problems.add("labels." + name + ": an EST operation name cannot be a label");
    }
    unknownKeysIn(t, p, LABEL);
    int before = problems.size();
    String ca = string(t, p + "ca", null);
    if (ca == null) {
      problems.add(p + "ca: missing (the key-source alias of the issuing CA)");
    }
    String profile = string(t, p + "profile", "identity");
    if (!profile.equals("identity") && !profile.equals("edge-ca")) {
      problems.add(p + "profile: '" + profile + "' is not one of: identity, edge-ca");
    }
    java.time.Duration validity = java.time.Duration.ofDays(7);
    String v = string(t, p + "validity", "7d");
    try {
      validity = Durations.parse(v);
    } catch (IllegalArgumentException e) {
      problems.add(p + "validity: " + e.getMessage());
    }
    List<String> keyTypes = strings(t, p + "key_types", List.of("ec-p256", "ec-p384", "rsa-2048"));
    try {
      dev.estuary.pki.KeyPolicy.parse(keyTypes);
    } catch (IllegalArgumentException e) {
      problems.add(p + "key_types: " + e.getMessage());
    }
    List<String> auth = strings(t, p + "auth", List.of("mtls"));
    for (String a : auth) {
      if (!GATES.contains(a)) {
        problems.add(p + "auth: '" + a + "' is not one of: secret, basic, mtls");
      }
    }
    if (auth.isEmpty()) {
      problems.add(p + "auth: empty; name at least one of: secret, basic, mtls");
    }
    List<String> trust = strings(t, p + "trust", List.of());
    boolean forcing = bool(t, p + "reenrollment_forcing", true);
    int maxCn = (int) number(t, p + "max_cn_length", 64, 1, 64);
    List<String> attrs = strings(t, p + "csr_attributes", List.of());
    for (String oid : attrs) {
      if (!oid.matches("[0-2](\\.\\d+)+")) {
        problems.add(p + "csr_attributes: '" + oid + "' is not a dotted OID");
      }
    }
    boolean bind = bool(t, p + "bind_names", auth.contains("mtls") && !trust.isEmpty());
    String nameFrom = string(t, p + "name_from", null);
    if (nameFrom != null
        && !nameFrom
            .replace("{subject.cn}", "")
            .replace("{serial}", "")
            .matches("[A-Za-z0-9._-]*")) {
      problems.add(
          p
              + "name_from: '"
              + nameFrom
              + "' may hold {subject.cn}, {serial}, letters, digits, '.', '_' and '-'");
    }
    List<String> sanTypes = strings(t, p + "san_types", List.of("dns"));
    for (String st : sanTypes) {
      if (!dev.estuary.server.policy.NamePolicy.SAN_TYPES.contains(st)) {
        problems.add(p + "san_types: '" + st + "' is not one of: dns, ip, uri, email, other, dn");
      }
    }
    String dnsPattern =
        string(t, p + "dns_pattern", dev.estuary.server.policy.NamePolicy.DEFAULT_DNS_PATTERN);
    try {
      java.util.regex.Pattern.compile(dnsPattern);
    } catch (java.util.regex.PatternSyntaxException e) {
      problems.add(p + "dns_pattern: not a regular expression: " + e.getDescription());
    }
    if (problems.size() > before) {
      return null;
    }
    return new LabelConfig(
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
        dnsPattern);
  }

  /**
   * The table at {@code path}, or null when absent; a value of another type there is a problem
   * (tomlj's getTable would throw), e.g. {@code admin = -1} instead of {@code [admin]}.
   */
  private TomlTable tableOrNull(TomlTable root, List<String> path, String name) {
    if (!root.contains(path)) {
      return null;
    }
    if (!root.isTable(path)) {
      problems.add(name + ": must be a table ([" + name + "]), was " + describe(root.get(path)));
      return null;
    }
    return root.getTable(path);
  }

  private TomlTable table(TomlTable root, String key) {
    TomlTable t = tableOrNull(root, List.of(key), key);
    if (t == null) {
      return Toml.parse("");
    }
    Set<String> allowed =
        switch (key) {
          case "est" -> EST;
          case "admin" -> ADMIN;
          case "tls" -> TLS;
          case "database" -> DATABASE;
          case "keys" -> KEYS;
          case "provisioning" -> PROVISIONING;
          case "connections" -> CONNECTIONS;
          case "revocation" -> REVOCATION;
          default -> Set.of();
        };
    unknownKeysIn(t, key + ".", allowed);
    return t;
  }

  private void unknownKeys(TomlTable t, String prefix, Set<String> allowed) {
    unknownKeysIn(t, prefix, allowed);
  }

  private void unknownKeysIn(TomlTable t, String prefix, Set<String> allowed) {
    for (String k : t.keySet()) {
      if (!allowed.contains(k)) {
        problems.add(
            prefix
                + k
                + ": unknown key (known: "
                + String.join(", ", allowed.stream().sorted().toList())
                + ")");
      }
    }
  }

  private ServerConfig.Listen listen(TomlTable t, String path, String dflt) {
    String s = string(t, path, dflt);
    int colon = s.lastIndexOf(':');
    if (colon <= 0) {
      problems.add(path + ": '" + s + "' is not host:port");
      return new ServerConfig.Listen("0.0.0.0", 0);
    }
    String host = s.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    try {
      int port = Integer.parseInt(s.substring(colon + 1));
      if (port < 0 || port > 65535) {
        throw new NumberFormatException();
      }
      return new ServerConfig.Listen(host, port);
    } catch (NumberFormatException e) {
      problems.add(path + ": port in '" + s + "' is not 0-65535");
      return new ServerConfig.Listen(host, 0);
    }
  }

  private String string(TomlTable t, String path, String dflt) {
    String key = leaf(path);
    if (!t.contains(key)) {
      return dflt;
    }
    Object v = t.get(key);
    if (v instanceof String s) {
      return s;
    }
    problems.add(path + ": must be a string, was " + describe(v));
    return dflt;
  }

  /** A duration such as "20s" or "2m", from 1 s up to 1 h. */
  private java.time.Duration duration(TomlTable t, String path, java.time.Duration dflt) {
    String text = string(t, path, null);
    if (text == null) {
      return dflt;
    }
    try {
      java.time.Duration d = Durations.parse(text);
      if (d.compareTo(java.time.Duration.ofHours(1)) > 0) {
        problems.add(path + ": '" + text + "' is longer than 1h");
        return dflt;
      }
      return d;
    } catch (IllegalArgumentException e) {
      problems.add(path + ": " + e.getMessage());
      return dflt;
    }
  }

  private long number(TomlTable t, String path, long dflt, long min, long max) {
    String key = leaf(path);
    if (!t.contains(key)) {
      return dflt;
    }
    Object v = t.get(key);
    if (v instanceof Long n) {
      if (n < min || n > max) {
        problems.add(path + ": " + n + " is outside " + min + ".." + max);
        return dflt;
      }
      return n;
    }
    problems.add(path + ": must be an integer, was " + describe(v));
    return dflt;
  }

  private boolean bool(TomlTable t, String path, boolean dflt) {
    String key = leaf(path);
    if (!t.contains(key)) {
      return dflt;
    }
    Object v = t.get(key);
    if (v instanceof Boolean b) {
      return b;
    }
    problems.add(path + ": must be true or false, was " + describe(v));
    return dflt;
  }

  private List<String> strings(TomlTable t, String path, List<String> dflt) {
    String key = leaf(path);
    if (!t.contains(key)) {
      return dflt;
    }
    Object v = t.get(key);
    if (!(v instanceof TomlArray a)) {
      problems.add(path + ": must be an array of strings, was " + describe(v));
      return dflt;
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < a.size(); i++) {
      Object e = a.get(i);
      if (e instanceof String s) {
        out.add(s);
      } else {
        problems.add(path + "[" + i + "]: must be a string, was " + describe(e));
      }
    }
    return out;
  }

  private String readSecretFile(String path, String name) {
    try {
      return Files.readString(dir.resolve(name)).strip();
    } catch (IOException e) {
      problems.add(path + ": cannot read '" + name + "': " + e.getMessage());
      return "";
    }
  }

  private static String leaf(String path) {
    return path.substring(path.lastIndexOf('.') + 1);
  }

  private static String describe(Object v) {
    if (v instanceof TomlTable) {
      return "a table";
    }
    if (v instanceof TomlArray) {
      return "an array";
    }
    return v == null ? "nothing" : v.getClass().getSimpleName().toLowerCase() + " " + v;
  }
}
