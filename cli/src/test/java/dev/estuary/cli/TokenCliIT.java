package dev.estuary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.estuary.cli.EstuaryJar.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code estuary server token create|list|revoke} through the runnable jar against a quickstart
 * server in a child process (issue 12): the quickstart's token is an admin; a created token is
 * printed once and never listed; an auditor's revoke is refused 403; a revoked token is refused
 * 401. docs/operations.md ("Roles and tokens") shows these commands.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class TokenCliIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir static Path work;
  static Process server;
  static Path data;

  @BeforeAll
  static void startServer() throws Exception {
    data = work.resolve("estuary-data");
    server = EstuaryJar.startQuickstart(data, work.resolve("server.log"));
  }

  @AfterAll
  static void stopServer() throws Exception {
    EstuaryJar.stop(server);
  }

  static Result estuary(String... args) throws Exception {
    return EstuaryJar.run(work, args);
  }

  /** Creates a token with the quickstart's admin token; returns its text, written to a file. */
  static Path tokenFile(String role, String name) throws Exception {
    Result r =
        estuary(
            "server",
            "token",
            "create",
            "--role",
            role,
            "--name",
            name,
            "--expires",
            "90d",
            "--data-dir",
            data.toString());
    assertThat(r.code()).as(r.describe()).isZero();
    String token = r.out().strip();
    assertThat(token).matches("[a-z2-9]{10}\\.[A-Za-z2-9]{32}");
    assertThat(r.err()).contains(role + " token ").contains("It is shown only now");
    Path f = work.resolve(role + "-" + token.substring(0, 10) + ".token");
    Files.writeString(f, token + "\n");
    return f;
  }

  @Test
  void createdTokensAreListedWithoutTheirSecretAndRolesAreEnforced() throws Exception {
    Path auditor = tokenFile("auditor", "the auditors");
    Path operator = tokenFile("operator", "ci pipeline");
    String auditorToken = Files.readString(auditor).strip();

    Result list = estuary("server", "token", "list", "--data-dir", data.toString());
    assertThat(list.code()).as(list.describe()).isZero();
    assertThat(list.out())
        .contains("ID", "ROLE", "STATE", "EXPIRES", "NAME")
        .contains(auditorToken.substring(0, 10))
        .contains("the auditors", "ci pipeline", "auditor", "operator", "active")
        .doesNotContain(auditorToken.substring(11));

    Result auditorRevokes =
        estuary(
            "server",
            "cert",
            "revoke",
            "1234abcd",
            "--data-dir",
            data.toString(),
            "--admin-token-file",
            auditor.toString());
    assertThat(auditorRevokes.code()).as(auditorRevokes.describe()).isEqualTo(CliFailure.FAILED);
    assertThat(auditorRevokes.err())
        .contains("HTTP 403")
        .contains("the auditor role may not revoke certificates; that needs the operator role");

    Result operatorCreatesASecret =
        estuary(
            "server",
            "secret",
            "create",
            "--label",
            "idevid",
            "--uses",
            "1",
            "--data-dir",
            data.toString(),
            "--admin-token-file",
            operator.toString());
    assertThat(operatorCreatesASecret.code()).as(operatorCreatesASecret.describe()).isZero();

    Result operatorCreatesAToken =
        estuary(
            "server",
            "token",
            "create",
            "--role",
            "admin",
            "--data-dir",
            data.toString(),
            "--admin-token-file",
            operator.toString());
    assertThat(operatorCreatesAToken.code()).isEqualTo(CliFailure.FAILED);
    assertThat(operatorCreatesAToken.err())
        .contains("HTTP 403")
        .contains("the operator role may not create admin API tokens");
  }

  @Test
  void aRevokedTokenIsRefused401() throws Exception {
    Path operator = tokenFile("operator", "leaving");
    String id = Files.readString(operator).strip().substring(0, 10);
    Result before =
        estuary(
            "server",
            "secret",
            "list",
            "--data-dir",
            data.toString(),
            "--admin-token-file",
            operator.toString());
    assertThat(before.code()).as(before.describe()).isZero();

    Result revoke = estuary("server", "token", "revoke", id, "--data-dir", data.toString());
    assertThat(revoke.code()).as(revoke.describe()).isZero();
    assertThat(revoke.out().strip()).isEqualTo("revoked admin token " + id);

    Result after =
        estuary(
            "server",
            "secret",
            "list",
            "--data-dir",
            data.toString(),
            "--admin-token-file",
            operator.toString());
    assertThat(after.code()).isEqualTo(CliFailure.FAILED);
    assertThat(after.err())
        .contains("HTTP 401")
        .contains("the admin token '" + id + "' was revoked");
    Result listed = estuary("server", "token", "list", "--data-dir", data.toString());
    assertThat(listed.out()).containsPattern(id + "\\s+operator\\s+revoked");
  }
}
