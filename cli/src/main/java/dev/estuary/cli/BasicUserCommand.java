package dev.estuary.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code estuary server basic-user create|list|disable|delete}: HTTP Basic identities for EST. */
@Command(
    name = "basic-user",
    mixinStandardHelpOptions = true,
    description = "Manage HTTP Basic users for EST labels with auth = [\"basic\"].",
    subcommands = {
      BasicUserCommand.Create.class,
      BasicUserCommand.ListUsers.class,
      BasicUserCommand.Disable.class,
      BasicUserCommand.Delete.class
    })
final class BasicUserCommand {

  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description =
          "Creates (or replaces) a Basic user on the running server and prints its new password once; only its hash is stored.")
  static final class Create implements Callable<Integer> {
    @Mixin AdminConnection admin;

    @Option(
        names = "--username",
        required = true,
        paramLabel = "NAME",
        description = "The username.")
    String username;

    @Option(
        names = "--label",
        defaultValue = "*",
        paramLabel = "LABEL",
        description =
            "The label it may use, or * for every label with Basic (default: ${DEFAULT-VALUE}).")
    String label;

    @Override
    public Integer call() throws Exception {
      JsonNode u =
          admin.call(
              "POST",
              "basic-users",
              AdminConnection.json()
                  .createObjectNode()
                  .put("username", username)
                  .put("label", label));
      System.out.println(u.get("password").asText());
      System.err.println(
          "Basic user "
              + username
              + " for label "
              + u.get("label").asText()
              + ". The password is shown only now.");
      return 0;
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "Lists the Basic users (username, label, state); never their passwords.")
  static final class ListUsers implements Callable<Integer> {
    @Mixin AdminConnection admin;

    @Override
    public Integer call() throws Exception {
      JsonNode list = admin.call("GET", "basic-users", null);
      ListTable.print(
          "%-24s %-16s %s%n",
          new String[] {"USERNAME", "LABEL", "STATE"},
          list,
          u ->
              new Object[] {
                u.get("username").asText(),
                u.get("label").asText(),
                u.get("disabled").asBoolean() ? "disabled" : "active"
              });
      return 0;
    }
  }

  @Command(
      name = "disable",
      mixinStandardHelpOptions = true,
      description =
          "Disables a Basic user: refused from the next request on; basic-user create gives it a new password and enables it again.")
  static final class Disable implements Callable<Integer> {
    @Mixin AdminConnection admin;

    @Parameters(paramLabel = "USERNAME", description = "The user.")
    String username;

    @Override
    public Integer call() throws Exception {
      admin.call("POST", "basic-users/" + username + "/disable", null);
      System.out.println("disabled Basic user " + username);
      return 0;
    }
  }

  @Command(
      name = "delete",
      mixinStandardHelpOptions = true,
      description = "Deletes a Basic user: refused from the next request on.")
  static final class Delete implements Callable<Integer> {
    @Mixin AdminConnection admin;

    @Parameters(paramLabel = "USERNAME", description = "The user.")
    String username;

    @Override
    public Integer call() throws Exception {
      admin.call("DELETE", "basic-users/" + username, null);
      System.out.println("deleted Basic user " + username);
      return 0;
    }
  }
}
