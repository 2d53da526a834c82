package dev.estuary.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code estuary server console-user create|list|disable}: the people who log in to the web console
 * (docs/console.md) with a name, a password and a role.
 */
@Command(
    name = "console-user",
    mixinStandardHelpOptions = true,
    description =
        "Manage web console users (https://<admin address>/console/): admin, operator or auditor.",
    subcommands = {
      ConsoleUserCommand.Create.class,
      ConsoleUserCommand.ListUsers.class,
      ConsoleUserCommand.Disable.class
    })
final class ConsoleUserCommand {

  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description = {
        "Creates a console user on the running server; only the password's hash is stored.",
        "The password is read from --password-file, or from stdin with --password-stdin;",
        "without either, one is generated and printed once."
      })
  static final class Create implements Callable<Integer> {
    @Mixin AdminConnection admin;

    @Mixin RoleOption role;

    @Option(
        names = "--password-file",
        paramLabel = "FILE",
        description = "Read the password from the first line of FILE.")
    Path passwordFile;

    @Option(
        names = "--password-stdin",
        description = "Read the password from the first line of stdin.")
    boolean passwordStdin;

    @Parameters(paramLabel = "NAME", description = "The user name (letters, digits, . _ @ -).")
    String name;

    @Override
    public Integer call() throws Exception {
      if (passwordFile != null && passwordStdin) {
        throw new CliFailure(
            CliFailure.USAGE, "give --password-file or --password-stdin, not both");
      }
      String password = null;
      if (passwordFile != null) {
        password = firstLine(Files.readString(passwordFile, StandardCharsets.UTF_8));
      } else if (passwordStdin) {
        BufferedReader in =
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line = in.readLine();
        password = line == null ? "" : line;
      }
      ObjectNode body =
          AdminConnection.json().createObjectNode().put("username", name).put("role", role.role);
      if (password != null) {
        body.put("password", password);
      }
      JsonNode u = admin.call("POST", "console-users", body);
      if (u.hasNonNull("password")) {
        System.out.println(u.get("password").asText());
        System.err.println(
            "console user "
                + name
                + " ("
                + u.get("role").asText()
                + "): the password above is shown only now.");
      } else {
        System.err.println("console user " + name + " (" + u.get("role").asText() + ") created");
      }
      return 0;
    }

    private static String firstLine(String text) {
      int nl = text.indexOf('\n');
      String line = nl < 0 ? text : text.substring(0, nl);
      return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "Lists the console users (name, role, state, creator); never a password.")
  static final class ListUsers implements Callable<Integer> {
    @Mixin AdminConnection admin;

    @Override
    public Integer call() throws Exception {
      JsonNode list = admin.call("GET", "console-users", null);
      ListTable.print(
          "%-24s %-9s %-9s %s%n",
          new String[] {"NAME", "ROLE", "STATE", "CREATED BY"},
          list,
          u ->
              new Object[] {
                u.get("username").asText(),
                u.get("role").asText(),
                u.get("disabledAt").isNull() ? "enabled" : "disabled",
                u.get("createdBy").asText()
              });
      return 0;
    }
  }

  @Command(
      name = "disable",
      mixinStandardHelpOptions = true,
      description = "Disables a console user: refused at login, its open sessions end at once.")
  static final class Disable implements Callable<Integer> {
    @Mixin AdminConnection admin;

    @Parameters(paramLabel = "NAME", description = "The user name.")
    String name;

    @Override
    public Integer call() throws Exception {
      admin.call("POST", "console-users/" + name + "/disable", null);
      System.out.println("disabled console user " + name);
      return 0;
    }
  }
}
