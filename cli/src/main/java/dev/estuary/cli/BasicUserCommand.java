package dev.estuary.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code estuary server basic-user create}: an HTTP Basic identity for EST, password printed once. */
@Command(name = "basic-user", mixinStandardHelpOptions = true, description = "Manage HTTP Basic users for EST labels with auth = [\"basic\"].",
    subcommands = {BasicUserCommand.Create.class})
final class BasicUserCommand {

  @Command(name = "create", mixinStandardHelpOptions = true,
      description = "Creates (or replaces) a Basic user on the running server and prints its new password once; only its hash is stored.")
  static final class Create implements Callable<Integer> {
    @Mixin AdminConnection admin;

    @Option(names = "--username", required = true, paramLabel = "NAME", description = "The username.")
    String username;

    @Option(names = "--label", defaultValue = "*", paramLabel = "LABEL", description = "The label it may use, or * for every label with Basic (default: ${DEFAULT-VALUE}).")
    String label;

    @Override
    public Integer call() throws Exception {
      JsonNode u = admin.call("POST", "basic-users", AdminConnection.json().createObjectNode().put("username", username).put("label", label));
      System.out.println(u.get("password").asText());
      System.err.println("Basic user " + username + " for label " + u.get("label").asText() + ". The password is shown only now.");
      return 0;
    }
  }
}
