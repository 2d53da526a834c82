package dev.estuary.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code estuary server secret create|list|disable|delete}: factory bootstrap secrets. */
@Command(
    name = "secret",
    mixinStandardHelpOptions = true,
    description = "Manage bootstrap secrets (the factory's Secret-Value).",
    subcommands = {
      SecretCommand.Create.class,
      SecretCommand.ListSecrets.class,
      SecretCommand.Disable.class,
      SecretCommand.Delete.class
    })
final class SecretCommand {

  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description =
          "Creates a bootstrap secret on the running server and prints it once; only its hash is stored.")
  static final class Create implements Callable<Integer> {
    @Mixin AdminConnection admin;

    @Option(
        names = "--label",
        required = true,
        paramLabel = "LABEL",
        description = "EST label the secret opens, e.g. idevid.")
    String label;

    @Option(
        names = "--uses",
        paramLabel = "N",
        description = "How many certificates it may obtain (default: unlimited).")
    Integer uses;

    @Option(
        names = "--expires",
        paramLabel = "DURATION",
        description = "Lifetime, e.g. 30d, 12h (default: never).")
    String expires;

    @Override
    public Integer call() throws Exception {
      ObjectNode body = AdminConnection.json().createObjectNode().put("label", label);
      if (uses != null) {
        body.put("uses", uses);
      }
      if (expires != null) {
        body.put("expires", expires);
      }
      JsonNode s = admin.call("POST", "secrets", body);
      System.out.println(s.get("secret").asText());
      System.err.println(
          "secret "
              + s.get("id").asText()
              + " for label "
              + label
              + (uses != null ? ", " + uses + " use(s)" : ", unlimited uses")
              + (s.hasNonNull("expiresAt")
                  ? ", expires " + s.get("expiresAt").asText()
                  : ", no expiry")
              + ". It is shown only now: send it as the Secret-Value header.");
      return 0;
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description =
          "Lists the bootstrap secrets (id, label, state, uses left, expiry); never their values.")
  static final class ListSecrets implements Callable<Integer> {
    @Mixin AdminConnection admin;

    @Option(names = "--label", paramLabel = "LABEL", description = "Only this label's secrets.")
    String label;

    @Override
    public Integer call() throws Exception {
      JsonNode list = admin.call("GET", "secrets" + (label == null ? "" : "?label=" + label), null);
      ListTable.print(
          "%-12s %-16s %-9s %-9s %s%n",
          new String[] {"ID", "LABEL", "STATE", "USES", "EXPIRES"},
          list,
          s ->
              new Object[] {
                s.get("id").asText(),
                s.get("label").asText(),
                s.get("state").asText(),
                s.get("usesRemaining").isNull() ? "unlimited" : s.get("usesRemaining").asText(),
                s.get("expiresAt").isNull() ? "never" : s.get("expiresAt").asText()
              });
      return 0;
    }
  }

  @Command(
      name = "disable",
      mixinStandardHelpOptions = true,
      description = "Disables a bootstrap secret: refused from the next request on; still listed.")
  static final class Disable implements Callable<Integer> {
    @Mixin AdminConnection admin;

    @Parameters(
        paramLabel = "ID",
        description = "The secret's id (the part before the dot; see secret list).")
    String id;

    @Override
    public Integer call() throws Exception {
      admin.call("POST", "secrets/" + id + "/disable", null);
      System.out.println("disabled bootstrap secret " + id);
      return 0;
    }
  }

  @Command(
      name = "delete",
      mixinStandardHelpOptions = true,
      description = "Deletes a bootstrap secret: refused from the next request on.")
  static final class Delete implements Callable<Integer> {
    @Mixin AdminConnection admin;

    @Parameters(paramLabel = "ID", description = "The secret's id (see secret list).")
    String id;

    @Override
    public Integer call() throws Exception {
      admin.call("DELETE", "secrets/" + id, null);
      System.out.println("deleted bootstrap secret " + id);
      return 0;
    }
  }
}
