package dev.estuary.server.install;

import dev.estuary.files.AtomicFiles;
import dev.estuary.pki.Serials;
import dev.estuary.server.ca.CaGenerations;
import dev.estuary.server.ca.Rollover;
import dev.estuary.server.config.ConfigException;
import dev.estuary.server.config.LabelConfig;
import dev.estuary.server.config.ServerConfig;
import dev.estuary.server.config.ServerConfigParser;
import dev.estuary.server.store.Database;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code estuary server ca …}: the rollover steps ({@link Rollover}) on a data directory's keystore
 * (server.toml's {@code [keys]}) and, when the root's key is kept apart (server init's {@value
 * ServerInit#OFFLINE_KEYS}), that keystore too. An offline command: it writes the keystores
 * (atomically) and the server takes the new keys at its next start; {@link #retire} and {@link
 * #retireRoot} read the database to refuse while something under the CA is still valid (H2: stop
 * the server first, it holds the file).
 */
public final class CaMaintenance {
  private final Path dataDir;
  private final ServerConfig config;
  private final List<Loaded> loaded;
  private final Clock clock;
  private final SecureRandom random;

  private record Loaded(Path file, Rollover.Store store) {}

  private CaMaintenance(
      Path dataDir, ServerConfig config, List<Loaded> loaded, Clock clock, SecureRandom random) {
    this.dataDir = dataDir;
    this.config = config;
    this.loaded = loaded;
    this.clock = clock;
    this.random = random;
  }

  /**
   * Opens {@code dataDir}'s keystore and, when it exists, {@code offlineKeys} (default: the data
   * directory's {@value ServerInit#OFFLINE_KEYS}), both with the passphrase server.toml names.
   */
  public static CaMaintenance open(Path dataDir, Path offlineKeys, Clock clock, SecureRandom random)
      throws IOException, GeneralSecurityException, ConfigException {
    Path toml = dataDir.resolve("server.toml");
    if (!Files.isRegularFile(toml)) {
      throw new IllegalArgumentException(dataDir + " has no server.toml: not a data directory");
    }
    ServerConfig config = ServerConfigParser.parse(toml);
    if (config.keys().onToken()) {
      throw new IllegalArgumentException(
          "estuary server ca works on a PKCS#12 keystore; with a PKCS#11 token make the new key in"
              + " the token with its own tools (docs/operations.md, CA rollover)");
    }
    char[] pw = Files.readString(config.keys().passphraseFile()).strip().toCharArray();
    List<Loaded> loaded = new ArrayList<>();
    loaded.add(load(config.keys().keystore(), pw));
    Path offline = offlineKeys != null ? offlineKeys : dataDir.resolve(ServerInit.OFFLINE_KEYS);
    if (offlineKeys != null && !Files.isRegularFile(offline)) {
      throw new IllegalArgumentException("--offline-keys: no file " + offline);
    }
    if (Files.isRegularFile(offline)) {
      loaded.add(load(offline, pw));
    }
    return new CaMaintenance(dataDir, config, loaded, clock, random);
  }

  private static Loaded load(Path file, char[] pw) throws IOException, GeneralSecurityException {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(file)) {
      ks.load(in, pw);
    }
    return new Loaded(file, new Rollover.Store(file.toString(), ks, pw));
  }

  private Rollover rollover() {
    return new Rollover(
        loaded.stream().map(Loaded::store).toList(),
        clock.instant(),
        new Serials(random, clock),
        random);
  }

  /** The alias server.toml's label {@code label} names for its CA. */
  public String caOf(String label) {
    LabelConfig lc = config.labels().get(label);
    if (lc == null) {
      throw new IllegalArgumentException(
          "no label '"
              + label
              + "' in server.toml (labels: "
              + String.join(", ", config.labels().keySet())
              + ")");
    }
    return lc.ca();
  }

  /** A new generation of {@code base}'s issuing CA. */
  public List<Rollover.Step> roll(String base) throws IOException, GeneralSecurityException {
    List<Rollover.Step> steps = List.of(rollover().roll(base));
    save();
    return steps;
  }

  public List<Rollover.Step> rollRoot() throws IOException, GeneralSecurityException {
    List<Rollover.Step> steps = rollover().rollRoot();
    save();
    return steps;
  }

  /** Every label's issuing CA, the CAs they trust from the keystore and the TLS CA. */
  public List<Rollover.Step> switchRoot() throws IOException, GeneralSecurityException {
    Set<String> bases = new LinkedHashSet<>();
    KeyStore online = loaded.getFirst().store().keyStore();
    for (LabelConfig lc : config.labels().values()) {
      bases.add(lc.ca());
      for (String t : lc.trust()) {
        if (online.isKeyEntry(t)) {
          bases.add(t);
        }
      }
    }
    List<Rollover.Step> steps = rollover().switchRoot(List.copyOf(bases), config.tlsAlias());
    save();
    return steps;
  }

  public List<Rollover.Step> retire(String alias) throws IOException, GeneralSecurityException {
    try (Database db = openDatabase()) {
      List<Rollover.Step> steps = List.of(rollover().retire(alias, ca -> stillValid(db, ca)));
      save();
      return steps;
    }
  }

  public List<Rollover.Step> retireRoot() throws IOException, GeneralSecurityException {
    try (Database db = openDatabase()) {
      List<Rollover.Step> steps = rollover().retireRoot(ca -> stillValid(db, ca));
      save();
      return steps;
    }
  }

  /** One line per CA entry: alias, subject, validity, issuer, and which generation issues now. */
  public List<String> list() throws GeneralSecurityException {
    List<String> out = new ArrayList<>();
    Instant now = clock.instant();
    for (Loaded l : loaded) {
      KeyStore ks = l.store().keyStore();
      List<String> aliases = new ArrayList<>(Collections.list(ks.aliases()));
      Collections.sort(aliases);
      for (String a : aliases) {
        X509Certificate c = (X509Certificate) ks.getCertificate(a);
        String kind =
            ks.isCertificateEntry(a)
                ? (a.startsWith(CaGenerations.RETIRED_PREFIX) ? "retired" : "link")
                : c.getBasicConstraints() >= 0 ? (isCurrent(ks, a, now) ? "current" : "ca") : "key";
        out.add(
            a
                + "\t"
                + kind
                + "\t"
                + c.getSubjectX500Principal().getName()
                + "\tissuer "
                + c.getIssuerX500Principal().getName()
                + "\tuntil "
                + c.getNotAfter().toInstant()
                + (CaGenerations.validAt(c, now) ? "" : " (not valid now)")
                + "\t"
                + l.file().getFileName());
      }
    }
    return out;
  }

  private static boolean isCurrent(KeyStore ks, String alias, Instant now)
      throws GeneralSecurityException {
    List<X509Certificate> certs = new ArrayList<>();
    List<String> gens =
        CaGenerations.of(Collections.list(ks.aliases()), CaGenerations.base(alias)).stream()
            .filter(
                a -> {
                  try {
                    return ks.isKeyEntry(a);
                  } catch (GeneralSecurityException e) {
                    return false;
                  }
                })
            .toList();
    for (String g : gens) {
      certs.add((X509Certificate) ks.getCertificate(g));
    }
    return gens.get(CaGenerations.current(certs, now)).equals(alias);
  }

  private Database openDatabase() {
    ServerConfig.Database d = config.database();
    return Database.open(d.url(), d.user(), d.password(), 2); // Flyway takes two
  }

  /** Certificates the server issued under {@code ca} (its issuer name) still valid. */
  private List<String> stillValid(Database db, X509Certificate ca) {
    String issuer = ca.getSubjectX500Principal().getName();
    Instant now = clock.instant();
    return db.jdbi()
        .withHandle(
            h ->
                h.createQuery(
                        "SELECT COUNT(*) AS n, MAX(not_after) AS last FROM certificate"
                            + " WHERE issuer = :issuer AND not_after > :now AND revoked_at IS NULL")
                    .bind("issuer", issuer)
                    .bind("now", Timestamp.from(now))
                    .map(
                        (rs, ctx) -> {
                          long n = rs.getLong("n");
                          if (n == 0) {
                            return List.<String>of();
                          }
                          Timestamp last = rs.getTimestamp("last");
                          return List.of(
                              n
                                  + " certificate(s) issued by '"
                                  + issuer
                                  + "' are still valid (not revoked), the last until "
                                  + last.toInstant()
                                  + " (estuary server cert show lists them; revoke or wait)");
                        })
                    .one());
  }

  private void save() throws IOException, GeneralSecurityException {
    for (Loaded l : loaded) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      l.store().keyStore().store(out, l.store().password());
      AtomicFiles.write(l.file(), out.toByteArray(), "rw-------");
    }
  }

  /** The data directory this works on. */
  public Path dataDir() {
    return dataDir;
  }
}
