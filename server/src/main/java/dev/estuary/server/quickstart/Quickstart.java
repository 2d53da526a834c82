package dev.estuary.server.quickstart;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.estuary.files.AtomicFiles;
import dev.estuary.pki.Certificates;
import dev.estuary.pki.IssuingCa;
import dev.estuary.pki.KeyPairs;
import dev.estuary.pki.Pem;
import dev.estuary.pki.Serials;
import dev.estuary.pki.Thumbprints;
import dev.estuary.server.auth.PasswordHash;
import dev.estuary.server.auth.SecretMinter;
import dev.estuary.server.ca.CaHierarchy;
import dev.estuary.server.config.DefaultLabels;
import dev.estuary.server.store.CaCertificateRecord;
import dev.estuary.server.store.Database;
import dev.estuary.server.store.EnrollmentRecord;
import dev.estuary.server.store.EnrollmentStore;
import dev.estuary.server.store.HubRecord;
import dev.estuary.server.store.JdbiCredentialStore;
import dev.estuary.server.store.JdbiEnrollmentStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
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
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;

/**
 * The embedded default: on first start, a data directory with a demo CA hierarchy (a root, an
 * issuing CA for the server's TLS certificate alone, and one issuing CA per label), the keys in an
 * encrypted PKCS#12 keystore, a TLS certificate for localhost, an H2 database, a bootstrap secret
 * and a Basic user, a provisioning ID scope with a hub and an enrollment group for device-id
 * certificates, and a server.toml describing it all; on later starts, the same again.
 */
public final class Quickstart {
  public static final String CONFIG = "server.toml";
  public static final String INFO = "quickstart.json";
  public static final String ROOT_PEM = "root-ca.pem";

  /** The issuing CA of the server's TLS certificate: it issues nothing else. */
  public static final String TLS_CA = "tls-ca";

  public static final List<String> LABELS = List.of("idevid", "device-id", "edge-ca");

  /** The quickstart's linked IoT hub. */
  public static final String HUB = "hub.estuary.local";

  /** The quickstart's enrollment group: every device-id certificate registers under it. */
  public static final String GROUP = "edge-devices";

  private static final String DEVICE_ID_LABEL = "device-id";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path dir;
  private final Clock clock;
  private final SecureRandom random;

  public Quickstart(Path dataDir, Clock clock, SecureRandom random) {
    this.dir = dataDir.toAbsolutePath().normalize();
    this.clock = clock;
    this.random = random;
  }

  public Path configFile() {
    return dir.resolve(CONFIG);
  }

  public Path infoFile() {
    return dir.resolve(INFO);
  }

  /** True when a previous start already created the data directory's contents. */
  public boolean exists() {
    return Files.exists(configFile()) && Files.exists(infoFile());
  }

  /** Creates everything on first start; does nothing when it exists. */
  public void prepare() throws IOException, GeneralSecurityException {
    if (exists()) {
      return;
    }
    if (Files.exists(configFile())) {
      throw new IOException(
          configFile()
              + " exists but "
              + INFO
              + " does not; move the directory away to start fresh");
    }
    AtomicFiles.createPrivateDirectory(dir, "rwx------");
    AtomicFiles.createPrivateDirectory(dir.resolve("keys"), "rwx------");
    Instant now = clock.instant();
    Serials serials = new Serials(random);

    String passphrase = SecretMinter.token(random, 32);
    AtomicFiles.write(
        dir.resolve("keys/keystore.pass"),
        (passphrase + "\n").getBytes(StandardCharsets.US_ASCII),
        "rw-------");
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    char[] pw = passphrase.toCharArray();

    GeneralNames serverNames = tlsNames();
    CaHierarchy cas =
        CaHierarchy.create("Estuary Quickstart", LABELS, serverNames, now, serials, random);
    // The server's TLS certificate comes from an issuing CA of its own that never issues to devices
    // (docs/security.md: "The server's name").
    IssuingCa tlsCa = cas.addIssuingCa(TLS_CA, "Estuary Quickstart TLS CA", 0);
    cas.storeIn(ks, pw);
    IssuingCa root = cas.root();
    IssuingCa deviceIdCa = cas.issuing(DEVICE_ID_LABEL + "-ca");
    KeyPair tlsKey = KeyPairs.generate("ec-p256", random);
    List<X509Certificate> tls =
        CaHierarchy.tlsCertificate(
            tlsCa, tlsKey, "localhost", serverNames, Duration.ofDays(825), now, serials);
    ks.setKeyEntry("tls", tlsKey.getPrivate(), pw, tls.toArray(Certificate[]::new));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ks.store(out, pw);
    AtomicFiles.write(dir.resolve("keys/ca-keys.p12"), out.toByteArray(), "rw-------");
    AtomicFiles.write(
        dir.resolve(ROOT_PEM),
        Pem.encode(root.certificate()).getBytes(StandardCharsets.US_ASCII),
        "rw-r--r--");

    String adminToken = SecretMinter.token(random, 40);
    Files.createDirectories(dir.resolve("db"));
    String dbUrl = Database.h2FileUrl(dir.resolve("db"));
    Map<String, String> secrets = new LinkedHashMap<>();
    try (Database db = Database.open(dbUrl, "", "")) {
      SecretMinter minter = new SecretMinter(new JdbiCredentialStore(db.jdbi()), random, clock);
      secrets.put("factory_secret", minter.bootstrapSecret("idevid", null, null).value());
      secrets.put("basic_username", "estuary");
      secrets.put("basic_password", minter.basicUser("estuary", "*"));
      enrollEdgeDevices(new JdbiEnrollmentStore(db.jdbi()), deviceIdCa.certificate(), now);
    }
    secrets.put("admin_token", adminToken);
    String idScope = "0ne" + HexFormat.of().withUpperCase().formatHex(bytes(4));
    AtomicFiles.write(
        configFile(),
        config(PasswordHash.hash(adminToken, random), idScope).getBytes(StandardCharsets.UTF_8),
        "rw-------");
    ObjectNode info = JSON.createObjectNode();
    secrets.forEach(info::put);
    AtomicFiles.write(
        infoFile(), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(info), "rw-------");
  }

  /**
   * The provisioning side: hub {@value #HUB} linked, the device-id issuing CA as a verified CA
   * certificate, and the enabled enrollment group {@value #GROUP} (IoT Edge devices, hashed over
   * every linked hub, CSRs signed by the device-id label) that any device-id certificate registers
   * under.
   */
  private void enrollEdgeDevices(EnrollmentStore store, X509Certificate deviceIdCa, Instant now) {
    store.putHub(new HubRecord(HUB, 1));
    String ca = DEVICE_ID_LABEL + "-ca";
    store.createCaCertificate(
        new CaCertificateRecord(
            ca,
            Certificates.der(deviceIdCa),
            deviceIdCa.getSubjectX500Principal().getName(),
            Thumbprints.sha256(deviceIdCa),
            true,
            null,
            UUID.randomUUID().toString(),
            now,
            now));
    store.putEnrollment(
        new EnrollmentRecord(
            EnrollmentRecord.Kind.GROUP,
            GROUP,
            ca,
            null,
            true,
            true,
            EnrollmentRecord.Allocation.HASHED,
            List.of(),
            null,
            true,
            true,
            DEVICE_ID_LABEL,
            UUID.randomUUID().toString(),
            now,
            now),
        null);
  }

  private byte[] bytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  private static GeneralNames tlsNames() {
    List<GeneralName> names = new ArrayList<>();
    names.add(new GeneralName(GeneralName.dNSName, "localhost"));
    names.add(new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
    names.add(new GeneralName(GeneralName.iPAddress, "::1"));
    try {
      String host = InetAddress.getLocalHost().getHostName();
      if (host.matches("[A-Za-z0-9.-]+") && !host.equals("localhost")) {
        names.add(new GeneralName(GeneralName.dNSName, host));
      }
    } catch (IOException e) {
      // no host name: localhost and the loopback addresses suffice for the quickstart
    }
    return new GeneralNames(names.toArray(GeneralName[]::new));
  }

  private static String config(String adminTokenHash, String idScope) {
    return """
        # Estuary server configuration, written by `estuary server --quickstart`.
        # Every key is described in docs/configuration.md. Relative paths are relative to this file.

        [est]
        listen = "127.0.0.1:8443"        # the device port: EST and provisioning
        default_label = "idevid"         # served at /.well-known/est/{op} without a label

        [admin]
        listen = "127.0.0.1:9443"
        token_hash = "%s"

        [tls]
        alias = "tls"                    # key entry serving HTTPS on both ports

        [database]
        url = "jdbc:h2:file:./db/estuary"

        [keys]
        source = "keystore"
        keystore = "keys/ca-keys.p12"
        passphrase_file = "keys/keystore.pass"

        %s
        # The DPS-compatible provisioning API on the device port: /{id_scope}/registrations/...
        [provisioning]
        id_scope = "%s"

        # Issued certificates name the CRL, OCSP and CA certificate URLs below this base URL (the
        # device port serves them at /pki/...; docs/revocation.md).
        [revocation]
        public_url = "https://localhost:8443"
        """
        .formatted(adminTokenHash, DefaultLabels.TOML, idScope);
  }

  /**
   * What quickstart.json says beside the factory secret: it is convenient, and so neither expires
   * nor runs out.
   */
  static String factorySecretNote(String secret) {
    String id = secret.contains(".") ? secret.substring(0, secret.indexOf('.')) : secret;
    return "never expires and has unlimited uses (convenient for trying Estuary); for a real factory line make one with"
        + " limits (estuary server secret create --label idevid --uses N --expires 30d) and disable this one"
        + " (estuary server secret disable "
        + id
        + ")";
  }

  /**
   * Rewrites quickstart.json with the URLs of the running server (ports may differ between starts)
   * and returns its content.
   *
   * @param idScope the provisioning ID scope the server runs with, or null when it serves none
   */
  public ObjectNode publish(int estPort, int adminPort, String idScope) throws IOException {
    ObjectNode old = (ObjectNode) JSON.readTree(infoFile().toFile());
    ObjectNode info = JSON.createObjectNode();
    String base = "https://localhost:" + estPort + "/.well-known/est";
    info.put("est_url", base);
    ObjectNode labels = info.putObject("labels");
    for (String l : LABELS) {
      labels.put(l, base + "/" + l + "/");
    }
    info.put("root_ca", dir.resolve(ROOT_PEM).toString());
    for (String k : List.of("factory_secret", "basic_username", "basic_password")) {
      info.set(k, old.get(k));
    }
    info.put("factory_secret_note", factorySecretNote(old.path("factory_secret").asText()));
    info.put("admin_url", "https://127.0.0.1:" + adminPort);
    info.set("admin_token", old.get("admin_token"));
    if (idScope != null) {
      info.put("dps_global_endpoint", "https://localhost:" + estPort);
      info.put("id_scope", idScope);
      info.put("enrollment_group", GROUP);
      info.put("iot_hub", HUB);
    } else {
      info.put(
          "provisioning",
          "not served: this data directory's server.toml has no [provisioning] id_scope");
    }
    AtomicFiles.write(
        infoFile(), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(info), "rw-------");
    return info;
  }
}
