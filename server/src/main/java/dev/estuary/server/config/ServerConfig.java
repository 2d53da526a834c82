package dev.estuary.server.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The whole server configuration, as read from server.toml (see docs/configuration.md). Paths are
 * already resolved against the file's directory ({@code baseDir}), except label trust entries,
 * which {@link #resolve(String)} turns into paths when they are not key aliases.
 *
 * @param idScope the provisioning ID scope devices name in their paths ({@code [provisioning]
 *     id_scope}), or null when the server does not serve provisioning
 */
public record ServerConfig(
    Path baseDir,
    Listen est,
    String defaultLabel,
    int maxBodyBytes,
    int authFailuresPerMinute,
    Listen admin,
    String adminTokenHash,
    String tlsAlias,
    String tlsProvider,
    Database database,
    KeySource keys,
    Map<String, LabelConfig> labels,
    String idScope,
    Connections connections,
    Revocation revocation,
    Console console) {

  public ServerConfig {
    labels = Map.copyOf(labels);
  }

  /** A configuration without {@code [console]} settings (the defaults). */
  public ServerConfig(
      Path baseDir,
      Listen est,
      String defaultLabel,
      int maxBodyBytes,
      int authFailuresPerMinute,
      Listen admin,
      String adminTokenHash,
      String tlsAlias,
      String tlsProvider,
      Database database,
      KeySource keys,
      Map<String, LabelConfig> labels,
      String idScope,
      Connections connections,
      Revocation revocation) {
    this(
        baseDir,
        est,
        defaultLabel,
        maxBodyBytes,
        authFailuresPerMinute,
        admin,
        adminTokenHash,
        tlsAlias,
        tlsProvider,
        database,
        keys,
        labels,
        idScope,
        connections,
        revocation,
        Console.DEFAULT);
  }

  /** A configuration without {@code [revocation]} settings (the defaults). */
  public ServerConfig(
      Path baseDir,
      Listen est,
      String defaultLabel,
      int maxBodyBytes,
      int authFailuresPerMinute,
      Listen admin,
      String adminTokenHash,
      String tlsAlias,
      String tlsProvider,
      Database database,
      KeySource keys,
      Map<String, LabelConfig> labels,
      String idScope,
      Connections connections) {
    this(
        baseDir,
        est,
        defaultLabel,
        maxBodyBytes,
        authFailuresPerMinute,
        admin,
        adminTokenHash,
        tlsAlias,
        tlsProvider,
        database,
        keys,
        labels,
        idScope,
        connections,
        Revocation.DEFAULT);
  }

  /**
   * Revocation publishing ({@code [revocation]}; docs/configuration.md, docs/revocation.md).
   *
   * @param publicUrl the base URL relying parties reach the device port at (e.g.
   *     "https://est.example.com:8443"); issued certificates carry the CRL distribution point and
   *     the AIA OCSP and caIssuers URLs below it; null: they carry none
   * @param crlValidity nextUpdate minus thisUpdate of each CRL (a CRL is made again after half)
   * @param ocspValidity nextUpdate minus thisUpdate of each OCSP answer
   * @param ocspSigner "ca" (the issuing CA signs its answers) or "delegated" (a responder
   *     certificate with id-kp-OCSPSigning and id-pkix-ocsp-nocheck, made at start)
   */
  public record Revocation(
      String publicUrl, Duration crlValidity, Duration ocspValidity, String ocspSigner) {
    public static final Revocation DEFAULT =
        new Revocation(null, Duration.ofDays(1), Duration.ofHours(1), "ca");
  }

  /**
   * The web console on the admin port ({@code [console]}; docs/console.md).
   *
   * @param idleTimeout a console session unused this long ends
   * @param statisticsMaxAge the overview's figures are computed again when older than this
   * @param failedLoginsPerMinute failed logins allowed per user name and minute (three times as
   *     many per client address); 0 turns the limit off
   */
  public record Console(
      Duration idleTimeout, Duration statisticsMaxAge, int failedLoginsPerMinute) {
    public static final Console DEFAULT =
        new Console(Duration.ofMinutes(15), Duration.ofSeconds(30), 5);
  }

  /**
   * Limits on client connections ({@code [connections]}), for both listeners.
   *
   * @param headerTimeout a connection must deliver a request head within this long of opening or of
   *     its previous answer
   * @param requestTimeout a request (its body included) must be answered within this long
   * @param maxPerAddress connections one client address may hold open at once; 0: no limit
   */
  public record Connections(Duration headerTimeout, Duration requestTimeout, int maxPerAddress) {
    public static final Connections DEFAULT =
        new Connections(Duration.ofSeconds(20), Duration.ofSeconds(60), 256);
  }

  /** A listening address. */
  public record Listen(String host, int port) {
    @Override
    public String toString() {
      return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
  }

  /** JDBC connection; H2 file or PostgreSQL. */
  public record Database(String url, String user, String password, int poolSize) {
    @Override
    public String toString() { // never print the password
      return "Database[url=" + url + ", user=" + user + ", poolSize=" + poolSize + "]";
    }
  }

  /**
   * Where CA and TLS keys live.
   *
   * @param type "keystore" (a PKCS#12 file) or "pkcs11"
   * @param keystore the PKCS#12 file (keystore)
   * @param passphraseFile file holding the keystore passphrase or the PKCS#11 PIN
   * @param pkcs11Library the PKCS#11 module (pkcs11)
   * @param pkcs11Slot slot index, or -1 to use the token label
   * @param pkcs11TokenLabel token label (pkcs11)
   * @param signatures who signs with software CA keys and verifies CSR signatures: {@code auto},
   *     {@code bouncycastle} or {@code conscrypt}
   */
  public record KeySource(
      String type,
      Path keystore,
      Path passphraseFile,
      Path pkcs11Library,
      int pkcs11Slot,
      String pkcs11TokenLabel,
      String signatures) {
    /** A key source with the default signature engine ({@code auto}). */
    public KeySource(
        String type,
        Path keystore,
        Path passphraseFile,
        Path pkcs11Library,
        int pkcs11Slot,
        String pkcs11TokenLabel) {
      this(type, keystore, passphraseFile, pkcs11Library, pkcs11Slot, pkcs11TokenLabel, "auto");
    }

    /** Whether the keys are on a PKCS#11 token (none of them leaves it). */
    public boolean onToken() {
      return type.equals("pkcs11");
    }
  }

  public Path resolve(String path) {
    return baseDir.resolve(path);
  }

  /** A copy listening on other ports (quickstart's --est-port/--admin-port, tests' port 0). */
  public ServerConfig withPorts(int estPort, int adminPort) {
    return new ServerConfig(
        baseDir,
        new Listen(est.host(), estPort),
        defaultLabel,
        maxBodyBytes,
        authFailuresPerMinute,
        new Listen(admin.host(), adminPort),
        adminTokenHash,
        tlsAlias,
        tlsProvider,
        database,
        keys,
        labels,
        idScope,
        connections,
        revocation,
        console);
  }

  public List<String> labelNames() {
    return labels.keySet().stream().sorted().toList();
  }
}
