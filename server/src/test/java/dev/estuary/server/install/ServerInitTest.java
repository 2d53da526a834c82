package dev.estuary.server.install;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.estuary.pki.CertsOnlyPkcs7;
import dev.estuary.pki.EstBase64;
import dev.estuary.pki.IssuingCa;
import dev.estuary.pki.Pem;
import dev.estuary.pki.Serials;
import dev.estuary.server.EstuaryServer;
import dev.estuary.server.auth.PasswordHash;
import dev.estuary.server.ca.CaHierarchy;
import dev.estuary.server.config.ServerConfig;
import dev.estuary.server.config.ServerConfigParser;
import dev.estuary.server.quickstart.Quickstart;
import dev.estuary.server.testing.TestPki;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, point 4: {@code server init} makes a data directory a server starts from, with the TLS
 * certificate from a CA that issues nothing else; it imports existing CAs; it refuses to overwrite;
 * and backup + restore into a new directory brings back a server whose earlier certificates still
 * authenticate and whose new ones verify against the same root (H2 here; PostgreSQL in the cli's
 * OperationsIT).
 */
@Timeout(180)
class ServerInitTest {
  @TempDir Path tmp;
  final SecureRandom random = new SecureRandom();
  final Clock clock = Clock.systemUTC();

  ServerInit.Options options(Path dir, Map<String, Path> imports, Path passphrase) {
    return new ServerInit.Options(
        dir,
        List.of("localhost", "127.0.0.1", "est.example.com"),
        imports,
        passphrase,
        null,
        null,
        null,
        "127.0.0.1:0",
        "127.0.0.1:0");
  }

  @Test
  void initMakesADataDirectoryTheServerStartsFromWithATlsCertificateFromATlsOnlyCa()
      throws Exception {
    Path dir = tmp.resolve("data");
    ServerInit.Result r = ServerInit.init(options(dir, Map.of(), null), clock, random);

    assertThat(r.tlsNames()).containsExactly("localhost", "est.example.com", "127.0.0.1");
    assertThat(perms(dir.resolve(ServerInit.PASSPHRASE))).isEqualTo("rw-------");
    assertThat(perms(dir.resolve(ServerInit.KEYSTORE))).isEqualTo("rw-------");
    assertThat(perms(dir.resolve("keys"))).isEqualTo("rwx------");
    assertThat(perms(dir.resolve("db"))).isEqualTo("rwx------");
    String toml = Files.readString(r.configFile());
    assertThat(toml).doesNotContain(r.adminToken()).contains("jdbc:h2:file:./db/estuary");
    Matcher hash = Pattern.compile("token_hash = \"([^\"]+)\"").matcher(toml);
    assertThat(hash.find()).isTrue();
    assertThat(PasswordHash.verify(r.adminToken(), hash.group(1))).isTrue();

    KeyStore ks = keystore(dir);
    assertThat(Collections.list(ks.aliases()))
        .containsExactlyInAnyOrder("idevid-ca", "device-id-ca", "edge-ca-ca", "tls");
    X509Certificate root = Pem.certificates(Files.readString(r.rootPem())).getFirst();
    X509Certificate tls = (X509Certificate) ks.getCertificateChain("tls")[0];
    X509Certificate tlsIssuer = (X509Certificate) ks.getCertificateChain("tls")[1];
    assertThat(tlsIssuer.getSubjectX500Principal().getName()).contains("Estuary TLS CA");
    for (String label : Quickstart.LABELS) {
      X509Certificate ca = (X509Certificate) ks.getCertificate(label + "-ca");
      assertThat(ca.getSubjectX500Principal()).isNotEqualTo(tls.getIssuerX500Principal());
      assertThat(ca.getIssuerX500Principal()).isEqualTo(root.getSubjectX500Principal());
    }
    assertThat(tls.getSubjectAlternativeNames())
        .extracting(l -> l.get(1).toString())
        .containsExactlyInAnyOrder("localhost", "est.example.com", "127.0.0.1");
    KeyStore offline = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(r.offlineKeys())) {
      offline.load(in, passphrase(dir));
    }
    assertThat(Collections.list(offline.aliases()))
        .containsExactlyInAnyOrder("root", ServerInit.TLS_CA);

    try (EstuaryServer server = start(dir)) {
      X509Certificate idevid =
          enroll(server, root, "idevid", "CN=factory-1", null, null, secret(server)).leaf;
      assertThat(idevid.getIssuerX500Principal().getName()).contains("idevid CA");
    }
  }

  @Test
  void initRefusesADirectoryThatHasAnythingInIt() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("data"));
    Files.writeString(dir.resolve("notes.txt"), "mine");

    assertThatThrownBy(() -> ServerInit.init(options(dir, Map.of(), null), clock, random))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not empty");
    assertThat(Files.list(dir)).hasSize(1);
  }

  @Test
  void initRefusesANameThatIsNeitherDnsNorIp() {
    ServerInit.Options o =
        new ServerInit.Options(
            tmp.resolve("data"),
            List.of("est.example.com", "bad name!"),
            Map.of(),
            null,
            null,
            null,
            null,
            "127.0.0.1:0",
            "127.0.0.1:0");
    assertThatThrownBy(() -> ServerInit.init(o, clock, random))
        .hasMessageContaining("'bad name!' is neither a DNS name nor an IP address");
    assertThat(tmp.resolve("data")).doesNotExist();
  }

  @Test
  void initImportsExistingCasFromPemAndPkcs12AndIssuesUnderThem() throws Exception {
    CaHierarchy theirs =
        CaHierarchy.create("Acme", Quickstart.LABELS, clock.instant(), new Serials(random), random);
    IssuingCa tlsCa = theirs.addIssuingCa("acme-tls", "Acme TLS CA", 0);
    Path files = Files.createDirectories(tmp.resolve("import"));
    Map<String, Path> imports = new HashMap<>();
    for (String label : List.of("idevid", "device-id")) {
      IssuingCa ca = theirs.issuing(label + "-ca");
      Path pem = files.resolve(label + ".pem");
      Files.writeString(pem, Pem.encode(ca.chain().toArray()) + Pem.encode(ca.key()));
      imports.put(label, pem);
    }
    Path pass = files.resolve("pass");
    Files.writeString(pass, "import-secret\n");
    for (var e : Map.of("edge-ca", theirs.issuing("edge-ca-ca"), "tls", tlsCa).entrySet()) {
      KeyStore p12 = KeyStore.getInstance("PKCS12");
      p12.load(null, null);
      CaHierarchy.put(p12, e.getValue(), "import-secret".toCharArray());
      Path f = files.resolve(e.getKey() + ".p12");
      try (var out = Files.newOutputStream(f)) {
        p12.store(out, "import-secret".toCharArray());
      }
      imports.put(e.getKey(), f);
    }
    Path dir = tmp.resolve("data");

    ServerInit.Result r = ServerInit.init(options(dir, imports, pass), clock, random);

    assertThat(r.offlineKeys()).isNull();
    X509Certificate root = Pem.certificates(Files.readString(r.rootPem())).getFirst();
    assertThat(root).isEqualTo(theirs.root().certificate());
    assertThat(((X509Certificate) keystore(dir).getCertificateChain("tls")[1]))
        .isEqualTo(tlsCa.certificate());
    try (EstuaryServer server = start(dir)) {
      Enrolled idevid = enroll(server, root, "idevid", "CN=acme-1", null, null, secret(server));
      assertThat(idevid.leaf.getIssuerX500Principal())
          .isEqualTo(theirs.issuing("idevid-ca").certificate().getSubjectX500Principal());
      idevid.leaf.verify(theirs.issuing("idevid-ca").certificate().getPublicKey());
    }
  }

  @Test
  void initRefusesAKeyThatDoesNotBelongToItsCertificate() throws Exception {
    CaHierarchy theirs =
        CaHierarchy.create("Acme", Quickstart.LABELS, clock.instant(), new Serials(random), random);
    Path pem = tmp.resolve("idevid.pem");
    Files.writeString(
        pem,
        Pem.encode(theirs.issuing("idevid-ca").chain().toArray())
            + Pem.encode(theirs.issuing("device-id-ca").key()));
    Map<String, Path> imports = Map.of("idevid", pem, "device-id", pem, "edge-ca", pem, "tls", pem);

    assertThatThrownBy(
            () -> ServerInit.init(options(tmp.resolve("data"), imports, null), clock, random))
        .hasMessageContaining("the private key does not belong to the first certificate");
    assertThat(tmp.resolve("data")).doesNotExist();
  }

  @Test
  void backupAndRestoreIntoANewDirectoryKeepTheRootTheKeysAndTheIssuedCertificates()
      throws Exception {
    Path dir = tmp.resolve("data");
    ServerInit.init(options(dir, Map.of(), null), clock, random);
    X509Certificate root =
        Pem.certificates(Files.readString(dir.resolve(ServerInit.ROOT_PEM))).getFirst();
    Enrolled idevid;
    String secret;
    try (EstuaryServer server = start(dir)) {
      secret = secret(server);
      idevid = enroll(server, root, "idevid", "CN=before-backup", null, null, secret);
    }
    Path backup = tmp.resolve("estuary-backup.zip");
    Backup.Outcome made = Backup.backup(dir, backup);
    assertThat(perms(backup)).isEqualTo("rw-------");
    assertThat(made.files())
        .contains("server.toml", ServerInit.KEYSTORE, ServerInit.PASSPHRASE, ServerInit.ROOT_PEM);
    assertThat(made.database().rows())
        .containsEntry("certificate", 1L)
        .containsEntry("bootstrap_secret", 1L);
    assertThatThrownBy(() -> Backup.backup(dir, backup)).hasMessageContaining("never overwrites");

    Path restored = tmp.resolve("restored");
    Backup.Outcome back = Backup.restore(backup, restored, null, null, null);
    assertThat(back.database().rows()).isEqualTo(made.database().rows());
    assertThat(perms(restored.resolve(ServerInit.PASSPHRASE))).isEqualTo("rw-------");
    assertThatThrownBy(() -> Backup.restore(backup, restored, null, null, null))
        .hasMessageContaining("not empty");

    try (EstuaryServer server = start(restored)) {
      assertThat(server.certificates().findBySerial(idevid.leaf.getSerialNumber())).isPresent();
      // The IDevID issued before the backup still authenticates, and the new certificate chains to
      // the same root.
      Enrolled device = enroll(server, root, "device-id", "CN=after-restore", idevid, null, null);
      X509Certificate deviceIdCa =
          (X509Certificate) keystore(restored).getCertificate("device-id-ca");
      device.leaf.verify(deviceIdCa.getPublicKey());
      deviceIdCa.verify(root.getPublicKey());
      // The secret (its hash and uses) came back too.
      enroll(server, root, "idevid", "CN=after-restore-2", null, null, secret);
    }
  }

  @Test
  void pointAtReplacesOnlyTheDatabaseKeys() {
    String toml =
        "[est]\nlisten = \"*:8443\"\n\n[database]\nurl = \"jdbc:h2:file:./db/estuary\"   # h2\npool_size = 4\n\n[keys]\nsource = \"keystore\"\n";
    String out = Backup.pointAt(toml, "jdbc:postgresql://db:5432/e", "estuary", "keys/db.password");
    assertThat(out)
        .contains("[est]\nlisten = \"*:8443\"\n")
        .contains("url = \"jdbc:postgresql://db:5432/e\"")
        .contains("user = \"estuary\"\npassword_file = \"keys/db.password\"\npool_size = 4\n")
        .doesNotContain("jdbc:h2")
        .contains("[keys]\nsource = \"keystore\"\n");
  }

  // --- helpers

  record Enrolled(KeyPair key, List<X509Certificate> chain, X509Certificate leaf) {}

  static EstuaryServer start(Path dir) throws Exception {
    ServerConfig cfg = ServerConfigParser.parse(dir.resolve(ServerInit.CONFIG)).withPorts(0, 0);
    return EstuaryServer.start(cfg, Clock.systemUTC());
  }

  static String secret(EstuaryServer server) {
    return server.minter().bootstrapSecret("idevid", 10, null).value();
  }

  static Enrolled enroll(
      EstuaryServer server,
      X509Certificate root,
      String label,
      String subject,
      Enrolled with,
      String unused,
      String secret)
      throws Exception {
    KeyPair key = TestPki.key("ec-p256");
    HttpClient client =
        HttpClient.newBuilder()
            .sslContext(
                TestPki.tls(
                    root,
                    with == null ? null : with.chain(),
                    with == null ? null : with.key().getPrivate()))
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    HttpRequest.Builder rb =
        HttpRequest.newBuilder(
                URI.create(
                    "https://localhost:"
                        + server.estPort()
                        + "/.well-known/est/"
                        + label
                        + "/simpleenroll"))
            .timeout(Duration.ofSeconds(20))
            .header("Content-Type", "application/pkcs10")
            .POST(
                HttpRequest.BodyPublishers.ofByteArray(
                    EstBase64.encode(TestPki.csr(key, subject))));
    if (secret != null) {
      rb.header("Secret-Value", secret);
    }
    HttpResponse<byte[]> r = client.send(rb.build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(200);
    List<X509Certificate> chain = CertsOnlyPkcs7.decode(EstBase64.decode(r.body()));
    return new Enrolled(key, chain, chain.getFirst());
  }

  static KeyStore keystore(Path dir) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(dir.resolve(ServerInit.KEYSTORE))) {
      ks.load(in, passphrase(dir));
    }
    return ks;
  }

  static char[] passphrase(Path dir) throws Exception {
    return Files.readString(dir.resolve(ServerInit.PASSPHRASE)).strip().toCharArray();
  }

  static String perms(Path p) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }
}
