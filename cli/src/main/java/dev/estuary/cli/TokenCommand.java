package dev.estuary.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code estuary server token create|list|revoke}: admin API tokens with a role. */
@Command(
    name = "token",
    mixinStandardHelpOptions = true,
    description =
        "Manage admin API tokens: admin (everything), operator (revoke, secrets, users, bindings,"
            + " enrollments), auditor (read only).",
    subcommands = {
      TokenCommand.Create.class,
      TokenCommand.ListTokens.class,
      TokenCommand.Revoke.class
    })
final class TokenCommand {

  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description =
          "Creates an admin API token on the running server and prints it once; only its hash is stored.")
  static final class Create implements Callable<Integer> {
    @Mixin AdminConnection admin;

    @Mixin RoleOption role;

    @Option(
        names = "--expires",
        paramLabel = "DURATION",
        description = "Lifetime, e.g. 90d, 12h (default: never).")
    String expires;

    @Option(
        names = "--name",
        paramLabel = "TEXT",
        description = "Who holds it or what for, shown by token list.")
    String name;

    @Override
    public Integer call() throws Exception {
      ObjectNode body = AdminConnection.json().createObjectNode().put("role", role.role);
      if (expires != null) {
        body.put("expires", expires);
      }
      if (name != null) {
        body.put("name", name);
      }
      JsonNode t = admin.call("POST", "tokens", body);
      System.out.println(t.get("token").asText());
      System.err.println(
          t.get("role").asText()
              + " token "
              + t.get("id").asText()
              + (t.hasNonNull("expiresAt")
                  ? ", expires " + t.get("expiresAt").asText()
                  : ", no expiry")
              + ". It is shown only now: send it as 'Authorization: Bearer <token>'"
              + " (estuary server … --admin-token-file FILE, or ESTUARY_ADMIN_TOKEN).");
      return 0;
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "Lists the admin API tokens (id, role, state, expiry, name); never the tokens.")
  static final class ListTokens implements Callable<Integer> {
    @Mixin AdminConnection admin;

    @Override
    public Integer call() throws Exception {
      JsonNode list = admin.call("GET", "tokens", null);
      ListTable.print(
          "%-12s %-9s %-8s %-28s %s%n",
          new String[] {"ID", "ROLE", "STATE", "EXPIRES", "NAME"},
          list,
          t ->
              new Object[] {
                t.get("id").asText(),
                t.get("role").asText(),
                t.get("state").asText(),
                t.get("expiresAt").isNull() ? "never" : t.get("expiresAt").asText(),
                t.get("name").asText()
              });
      return 0;
    }
  }

  @Command(
      name = "revoke",
      mixinStandardHelpOptions = true,
      description = "Revokes an admin API token: refused (401) from the next request on.")
  static final class Revoke implements Callable<Integer> {
    @Mixin AdminConnection admin;

    @Parameters(paramLabel = "ID", description = "The token's id (the part before the dot).")
    String id;

    @Override
    public Integer call() throws Exception {
      admin.call("POST", "tokens/" + id + "/revoke", null);
      System.out.println("revoked admin token " + id);
      return 0;
    }
  }
}
