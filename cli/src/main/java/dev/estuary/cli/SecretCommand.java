package dev.estuary.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code estuary server secret create}: a factory bootstrap secret, printed once. */
@Command(name = "secret", mixinStandardHelpOptions = true, description = "Manage bootstrap secrets (the factory's Secret-Value).",
    subcommands = {SecretCommand.Create.class})
final class SecretCommand {

  @Command(name = "create", mixinStandardHelpOptions = true,
      description = "Creates a bootstrap secret on the running server and prints it once; only its hash is stored.")
  static final class Create implements Callable<Integer> {
    @Mixin AdminConnection admin;

    @Option(names = "--label", required = true, paramLabel = "LABEL", description = "EST label the secret opens, e.g. idevid.")
    String label;

    @Option(names = "--uses", paramLabel = "N", description = "How many certificates it may obtain (default: unlimited).")
    Integer uses;

    @Option(names = "--expires", paramLabel = "DURATION", description = "Lifetime, e.g. 30d, 12h (default: never).")
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
      System.err.println("secret " + s.get("id").asText() + " for label " + label
          + (uses != null ? ", " + uses + " use(s)" : ", unlimited uses")
          + (s.hasNonNull("expiresAt") ? ", expires " + s.get("expiresAt").asText() : ", no expiry")
          + ". It is shown only now: send it as the Secret-Value header.");
      return 0;
    }
  }
}
