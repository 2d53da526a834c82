package dev.estuary.server.install;

import dev.estuary.files.AtomicFiles;
import dev.estuary.pki.IssuingCa;
import dev.estuary.pki.KeyPairs;
import dev.estuary.pki.Pem;
import dev.estuary.pki.Serials;
import dev.estuary.server.auth.PasswordHash;
import dev.estuary.server.auth.SecretMinter;
import dev.estuary.server.ca.CaHierarchy;
import dev.estuary.server.config.DefaultLabels;
import dev.estuary.server.quickstart.Quickstart;
import dev.estuary.server.store.Database;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.util.IPAddress;

/**
 * {@code estuary server init}: a production data directory. A new CA hierarchy (a root, one issuing
 * CA per label and a TLS CA that never issues to devices; the root and TLS CA keys go to {@value
 * #OFFLINE_KEYS}, to be moved off the machine) or imported CA certificates and keys; the TLS
 * certificate for the given names, signed by the TLS CA; the keystore with the aliases server.toml
 * names and its passphrase file; an admin token whose hash only is kept; and a commented
 * server.toml on H2 or PostgreSQL. Never writes into a directory that has anything in it.
 */
public final class ServerInit {
  public static final String CONFIG = "server.toml";
  public static final String KEYSTORE = "keys/ca-keys.p12";
  public static final String PASSPHRASE = "keys/keystore.pass";
  public static final String DB_PASSWORD = "keys/db.password";
  public static final String ROOT_PEM = "root-ca.pem";
  public static final String TOKEN_PIN = "keys/token.pin";

  /** The root's and the TLS CA's keys: not needed by the running server. */
  public static final String OFFLINE_KEYS = "offline/root-and-tls-ca.p12";

  /** The issuing CA that signs the server's TLS certificate and nothing else. */
  public static final String TLS_CA = "tls-ca";

  /** What {@code --import-ca} accepts before its '=': the labels and {@code tls}. */
  public static final List<String> IMPORT_NAMES =
      Stream.concat(Quickstart.LABELS.stream(), Stream.of("tls")).toList();

  static final Duration TLS_VALIDITY = Duration.ofDays(825);

  /** The CA aliases the default labels name ({@code ca} and {@code trust}). */
  private static final Pattern DEFAULT_CA =
      Pattern.compile("\"(" + String.join("|", Quickstart.LABELS) + ")-ca\"");

  /** The TLS key's label on a token: {@code estuary-tls-20260101T120000Z}. */
  private static final DateTimeFormatter TOKEN_STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");

  private static final String DNS_NAME =
      "(?=.{1,253}$)(\\*\\.)?[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*";

  /**
   * What to make.
   *
   * @param names DNS names and IP addresses devices and operators reach the server by
   * @param imports CA files by label (and {@code tls}), PEM (certificate chain and unencrypted key)
   *     or PKCS#12; empty to make a new hierarchy
   * @param importPassphraseFile passphrase of the PKCS#12 files imported, or null
   * @param databaseUrl a {@code jdbc:postgresql:} URL, or null for H2 in the data directory
   */
  public record Options(
      Path dataDir,
      List<String> names,
      Map<String, Path> imports,
      Path importPassphraseFile,
      String databaseUrl,
      String databaseUser,
      Path databasePasswordFile,
      String estListen,
      String adminListen) {
    public Options {
      names = List.copyOf(names);
      imports = Map.copyOf(imports);
    }
  }

  /**
   * CA keys that stay in a PKCS#11 token ({@code --pkcs11-library}): init checks each and writes a
   * server.toml with {@code [keys] source = "pkcs11"}; no private key leaves the token.
   *
   * @param library the PKCS#11 module
   * @param tokenLabel the token's label, or null to name it by {@code slot}
   * @param slot the token's slot list index, or -1 to name it by {@code tokenLabel}
   * @param pinFile the file holding the user PIN (copied into the data directory, 0600)
   * @param keys the label of each CA's key (and certificate) on the token, by {@link #IMPORT_NAMES}
   */
  public record Token(
      Path library, String tokenLabel, int slot, Path pinFile, Map<String, String> keys) {
    public Token {
      keys = Map.copyOf(keys);
    }
  }

  /**
   * What was made.
   *
   * @param adminToken the admin bearer token: shown once, only its hash is kept
   * @param offlineKeys the root's and TLS CA's keys, or null when the CAs were imported
   */
  public record Result(
      Path configFile, Path rootPem, List<String> tlsNames, String adminToken, Path offlineKeys) {
    @Override
    public String toString() {
      return "Result[config=" + configFile + ", names=" + tlsNames + "]";
    }
  }

  private ServerInit() {}

  /**
   * Makes the data directory.
   *
   * @throws IllegalArgumentException for input that cannot be used, naming what is wrong (nothing
   *     is written then)
   */
  public static Result init(Options o, Clock clock, SecureRandom random)
      throws IOException, GeneralSecurityException {
    return init(o, null, clock, random);
  }

  /**
   * Makes the data directory; with {@code token}, on CA keys that stay in that PKCS#11 token.
   *
   * @throws IllegalArgumentException for input that cannot be used, naming what is wrong (nothing
   *     is written then)
   */
  public static Result init(Options o, Token token, Clock clock, SecureRandom random)
      throws IOException, GeneralSecurityException {
    Path dir = o.dataDir().toAbsolutePath().normalize();
    if (Files.exists(dir) && (!Files.isDirectory(dir) || !isEmpty(dir))) {
      throw new IllegalArgumentException(
          dir + " already exists and is not empty: server init never overwrites a data directory");
    }
    GeneralNames names = tlsNames(o.names());
    Instant now = clock.instant();
    Serials serials = new Serials(random, clock);
    Map<String, IssuingCa> cas = new LinkedHashMap<>();
    CaHierarchy made = null;
    TokenCas onToken = null;
    if (token != null) {
      if (!o.imports().isEmpty()) {
        throw new IllegalArgumentException(
            "--import-ca and --pkcs11-library: the CAs come from files or from a token, not both");
      }
      checkNames("--token-ca", token.keys().keySet());
      onToken = TokenCas.open(token);
      for (String name : IMPORT_NAMES) {
        String label = token.keys().get(name);
        if (label == null) {
          throw new IllegalArgumentException(
              "--token-ca: give the label of a key on the token for each of "
                  + String.join(", ", IMPORT_NAMES)
                  + " (missing: "
                  + name
                  + "; the token has: "
                  + String.join(", ", onToken.labels())
                  + ")");
        }
        cas.put(
            name.equals("tls") ? TLS_CA : name + "-ca",
            onToken.ca(name, label, name.equals("edge-ca") ? 1 : 0, random));
      }
    } else if (o.imports().isEmpty()) {
      made = CaHierarchy.create("Estuary", Quickstart.LABELS, names, now, serials, random);
      made.addIssuingCa(TLS_CA, "Estuary TLS CA", 0);
      for (String label : Quickstart.LABELS) {
        cas.put(label + "-ca", made.issuing(label + "-ca"));
      }
      cas.put(TLS_CA, made.issuing(TLS_CA));
    } else {
      char[] importPassphrase =
          o.importPassphraseFile() == null
              ? null
              : Files.readString(o.importPassphraseFile()).strip().toCharArray();
      for (String name : IMPORT_NAMES) {
        Path file = o.imports().get(name);
        if (file == null) {
          throw new IllegalArgumentException(
              "--import-ca: give a CA for each of "
                  + String.join(", ", IMPORT_NAMES)
                  + " (missing: "
                  + name
                  + ")");
        }
        String alias = name.equals("tls") ? TLS_CA : name + "-ca";
        cas.put(
            alias, CaImport.load(alias, file, importPassphrase, name.equals("edge-ca") ? 1 : 0));
      }
      checkNames("--import-ca", o.imports().keySet());
    }
    String dbPassword = null;
    if (o.databaseUrl() != null) {
      if (!o.databaseUrl().startsWith("jdbc:postgresql:")) {
        throw new IllegalArgumentException(
            "--postgres-url must be a jdbc:postgresql://host:port/database URL, was "
                + o.databaseUrl());
      }
      if (o.databasePasswordFile() == null) {
        throw new IllegalArgumentException(
            "--postgres-password-file is needed with --postgres-url");
      }
      dbPassword = Files.readString(o.databasePasswordFile()).strip();
      checkEmptyDatabase(o.databaseUrl(), o.databaseUser(), dbPassword);
    }

    List<String> nameList = displayNames(o.names());
    String tlsAlias = "tls";
    List<X509Certificate> tokenTls = null;
    if (onToken != null) {
      // The TLS key is made inside the token before anything is written: a token that refuses it
      // leaves no data directory behind.
      tlsAlias = "estuary-tls-" + TOKEN_STAMP.format(now.atOffset(ZoneOffset.UTC));
      tokenTls =
          onToken.newTlsKey(
              tlsAlias, cas.get(TLS_CA), nameList.getFirst(), names, TLS_VALIDITY, now, serials);
    }
    AtomicFiles.createPrivateDirectory(dir, "rwx------");
    AtomicFiles.createPrivateDirectory(dir.resolve("keys"), "rwx------");
    if (onToken != null) {
      AtomicFiles.write(
          dir.resolve(TOKEN_PIN),
          (Files.readString(token.pinFile()).strip() + "\n").getBytes(StandardCharsets.UTF_8),
          "rw-------");
    }
    char[] pw =
        onToken != null ? null : writeKeystore(dir, cas, names, nameList, now, serials, random);
    Path offline = null;
    if (made != null) {
      KeyStore off = emptyKeyStore();
      CaHierarchy.put(off, made.root(), pw);
      CaHierarchy.put(off, made.issuing(TLS_CA), pw);
      AtomicFiles.createPrivateDirectory(dir.resolve("offline"), "rwx------");
      offline = dir.resolve(OFFLINE_KEYS);
      AtomicFiles.write(offline, store(off, pw), "rw-------");
    }
    Set<X509Certificate> roots = new LinkedHashSet<>();
    for (IssuingCa ca : cas.values()) {
      roots.add(ca.root());
    }
    AtomicFiles.write(
        dir.resolve(ROOT_PEM),
        Pem.encode(roots.toArray()).getBytes(StandardCharsets.US_ASCII),
        "rw-r--r--");

    String database;
    if (o.databaseUrl() == null) {
      AtomicFiles.createPrivateDirectory(dir.resolve("db"), "rwx------");
      try (Database db = Database.open(Database.h2FileUrl(dir.resolve("db")), "", "")) {
        database =
            "url = \"jdbc:h2:file:./db/estuary\"       # embedded H2 in db/; for production prefer PostgreSQL";
      }
    } else {
      AtomicFiles.write(
          dir.resolve(DB_PASSWORD),
          (dbPassword + "\n").getBytes(StandardCharsets.UTF_8),
          "rw-------");
      database =
          """
          url = "%s"
          user = "%s"
          password_file = "%s"     # 0600, read at start
          pool_size = 16"""
              .formatted(o.databaseUrl(), o.databaseUser(), DB_PASSWORD);
    }
    String adminToken = SecretMinter.token(random, 40);
    String idScope = "0ne" + HexFormat.of().withUpperCase().formatHex(randomBytes(random, 4));
    Path config = dir.resolve(CONFIG);
    AtomicFiles.write(
        config,
        config(
                o,
                PasswordHash.hash(adminToken, random),
                database,
                nameList,
                idScope,
                tlsAlias,
                token == null ? keystoreKeys(made != null) : tokenKeys(token, tlsAlias),
                token == null ? DefaultLabels.TOML : tokenLabels(token))
            .getBytes(StandardCharsets.UTF_8),
        "rw-------");
    return new Result(config, dir.resolve(ROOT_PEM), nameList, adminToken, offline);
  }

  /**
   * Writes the keystore ({@value #KEYSTORE}: the label CAs and a new TLS key and certificate) and
   * its passphrase file; returns the passphrase.
   */
  private static char[] writeKeystore(
      Path dir,
      Map<String, IssuingCa> cas,
      GeneralNames names,
      List<String> nameList,
      Instant now,
      Serials serials,
      SecureRandom random)
      throws IOException, GeneralSecurityException {
    String passphrase = SecretMinter.token(random, 32);
    char[] pw = passphrase.toCharArray();
    AtomicFiles.write(
        dir.resolve(PASSPHRASE),
        (passphrase + "\n").getBytes(StandardCharsets.US_ASCII),
        "rw-------");
    KeyStore online = emptyKeyStore();
    for (String label : Quickstart.LABELS) {
      CaHierarchy.put(online, cas.get(label + "-ca"), pw);
    }
    KeyPair tlsKey = KeyPairs.generate("ec-p256", random);
    List<X509Certificate> tls =
        CaHierarchy.tlsCertificate(
            cas.get(TLS_CA), tlsKey, nameList.getFirst(), names, TLS_VALIDITY, now, serials);
    online.setKeyEntry("tls", tlsKey.getPrivate(), pw, tls.toArray(Certificate[]::new));
    AtomicFiles.write(dir.resolve(KEYSTORE), store(online, pw), "rw-------");
    return pw;
  }

  private static void checkNames(String option, Set<String> given) {
    for (String name : given) {
      if (!IMPORT_NAMES.contains(name)) {
        throw new IllegalArgumentException(
            option
                + " "
                + name
                + "=...: '"
                + name
                + "' is none of "
                + String.join(", ", IMPORT_NAMES));
      }
    }
  }

  /**
   * Parses DNS names and IP addresses into SANs; the first DNS name (or address) becomes the CN.
   */
  static GeneralNames tlsNames(List<String> given) {
    List<GeneralName> out = new ArrayList<>();
    for (String raw : given) {
      String n = raw.strip();
      if (n.isEmpty()) {
        continue;
      }
      if (IPAddress.isValid(n)) {
        out.add(new GeneralName(GeneralName.iPAddress, n));
      } else if (n.matches(DNS_NAME)) {
        out.add(new GeneralName(GeneralName.dNSName, n.toLowerCase(Locale.ROOT)));
      } else {
        throw new IllegalArgumentException(
            "--names: '" + n + "' is neither a DNS name nor an IP address");
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException(
          "--names: give the DNS names and IP addresses devices reach the server by, e.g. --names est.example.com,10.0.0.5");
    }
    return new GeneralNames(out.toArray(GeneralName[]::new));
  }

  /**
   * The names as given (DNS names lowercased), DNS names first: the first is the certificate's CN.
   */
  private static List<String> displayNames(List<String> given) {
    List<String> dns = new ArrayList<>();
    List<String> ips = new ArrayList<>();
    for (String raw : given) {
      String n = raw.strip();
      if (!n.isEmpty()) {
        (IPAddress.isValid(n) ? ips : dns)
            .add(IPAddress.isValid(n) ? n : n.toLowerCase(Locale.ROOT));
      }
    }
    dns.addAll(ips);
    return dns;
  }

  private static void checkEmptyDatabase(String url, String user, String password) {
    try (Database db = Database.open(url, user, password, 2)) { // Flyway takes two on PostgreSQL
      long rows =
          db.jdbi()
              .withHandle(
                  h ->
                      h.createQuery(
                              "SELECT (SELECT COUNT(*) FROM certificate) + (SELECT COUNT(*) FROM bootstrap_secret)")
                          .mapTo(Long.class)
                          .one());
      if (rows > 0) {
        throw new IllegalArgumentException(
            "the database "
                + url
                + " already holds Estuary certificates or secrets: init wants an empty one"
                + " (to move a server, use estuary server restore)");
      }
    } catch (IllegalArgumentException e) {
      throw e;
    } catch (RuntimeException e) {
      Throwable root = e;
      while (root.getCause() != null) {
        root = root.getCause();
      }
      throw new IllegalArgumentException(
          "cannot use the database " + url + " as user " + user + ": " + root.getMessage(), e);
    }
  }

  private static boolean isEmpty(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.findAny().isEmpty();
    }
  }

  private static KeyStore emptyKeyStore() throws GeneralSecurityException, IOException {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    return ks;
  }

  private static byte[] store(KeyStore ks, char[] pw) throws GeneralSecurityException, IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ks.store(out, pw);
    return out.toByteArray();
  }

  private static byte[] randomBytes(SecureRandom random, int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  /** The {@code [keys]} table for the keystore init wrote. */
  private static String keystoreKeys(boolean made) {
    return """
        [keys]
        source = "keystore"
        keystore = "%s"               # %s
        passphrase_file = "%s"      # 0600
        # An HSM instead: source = "pkcs11", library, token_label, pin_file (docs/operations.md).
        """
        .formatted(
            KEYSTORE,
            made
                ? "issuing CAs and TLS key; the root's key is in " + OFFLINE_KEYS
                : "imported issuing CAs and the TLS key",
            PASSPHRASE);
  }

  /** The {@code [keys]} table for CA keys in a PKCS#11 token. */
  private static String tokenKeys(Token token, String tlsAlias) {
    return """
        [keys]
        # The CA keys and the TLS key (%s) stay in this PKCS#11 token; init checked each
        # CA key against its certificate by signing a challenge in the token.
        source = "pkcs11"
        library = "%s"
        %s
        pin_file = "%s"                # 0600, the token's user PIN
        """
        .formatted(
            tlsAlias,
            token.library().toAbsolutePath(),
            token.tokenLabel() != null
                ? "token_label = \"" + token.tokenLabel() + "\""
                : "slot = " + token.slot() + "                      # slot list index",
            TOKEN_PIN);
  }

  /** The default labels, each on the CA whose key has the given label on the token. */
  private static String tokenLabels(Token token) {
    return DEFAULT_CA
        .matcher(DefaultLabels.TOML)
        .replaceAll(m -> Matcher.quoteReplacement("\"" + token.keys().get(m.group(1)) + "\""));
  }

  private static String config(
      Options o,
      String tokenHash,
      String database,
      List<String> names,
      String idScope,
      String tlsAlias,
      String keys,
      String labels) {
    return """
        # Estuary server configuration, written by `estuary server init`.
        # Every key is described in docs/configuration.md; the install in docs/operations.md.
        # Relative paths are relative to this file's directory.

        [est]
        listen = "%s"                 # the device port: EST and provisioning
        default_label = "idevid"         # served at /.well-known/est/{op} without a label

        [admin]
        listen = "%s"          # keep the admin API on a private network
        # PBKDF2 hash of the admin token `server init` printed once. A new token: estuary server
        # init prints one for a scratch directory; copy its token_hash here.
        token_hash = "%s"

        [tls]
        alias = "%s"   # key entry serving HTTPS on both ports; its certificate names: %s

        [database]
        %s

        %s
        %s
        # The DPS-compatible provisioning API on the device port: /{id_scope}/registrations/...
        # Hubs and enrollment groups are added through the admin API (docs/provisioning.md).
        [provisioning]
        id_scope = "%s"
        """
        .formatted(
            o.estListen(),
            o.adminListen(),
            tokenHash,
            tlsAlias,
            String.join(", ", names),
            database,
            keys,
            labels,
            idScope);
  }
}
