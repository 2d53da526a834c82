package dev.estuary.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code estuary server binding list|release}: the names labels bound to device identities. */
@Command(
    name = "binding",
    mixinStandardHelpOptions = true,
    description =
        "List or release name bindings: the first name an identity (IDevID) gets from a label is its own.",
    subcommands = {BindingCommand.ListBindings.class, BindingCommand.Release.class})
final class BindingCommand {

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "Prints the bindings, oldest first (at most 1000).")
  static final class ListBindings implements Callable<Integer> {
    @Mixin AdminConnection admin;

    @Option(
        names = "--label",
        paramLabel = "LABEL",
        description = "Only this label (LABEL:ca for its CA certificates' names).")
    String label;

    @Override
    public Integer call() throws Exception {
      String query =
          label == null ? "" : "?label=" + URLEncoder.encode(label, StandardCharsets.UTF_8);
      JsonNode list = admin.call("GET", "bindings" + query, null);
      for (JsonNode b : list) {
        System.out.println(
            b.get("label").asText()
                + "\t"
                + b.get("name").asText()
                + "\t"
                + b.get("createdAt").asText()
                + "\t"
                + b.get("holder").asText());
      }
      if (list.isEmpty()) {
        System.out.println("no bindings");
      }
      return 0;
    }
  }

  @Command(
      name = "release",
      mixinStandardHelpOptions = true,
      description =
          "Frees a name (a device replaced): the next identity that asks for it gets it and is bound to it.")
  static final class Release implements Callable<Integer> {
    @Mixin AdminConnection admin;

    @Parameters(
        index = "0",
        paramLabel = "LABEL",
        description = "The label (LABEL:ca for a CA certificate's name).")
    String label;

    @Parameters(
        index = "1",
        paramLabel = "NAME",
        description = "The bound name (the certificate's CN).")
    String name;

    @Override
    public Integer call() throws Exception {
      String encoded = URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
      JsonNode r = admin.call("DELETE", "bindings/" + label + "/" + encoded, null);
      System.out.println(
          "released '"
              + r.get("name").asText()
              + "' of "
              + r.get("label").asText()
              + " (was held by "
              + r.get("holder").asText()
              + ")");
      return 0;
    }
  }
}
