package dev.estuary.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code estuary server device show|disable|enable ID}: a device by its registration id. */
@Command(
    name = "device",
    mixinStandardHelpOptions = true,
    description =
        "Show, disable or enable a device by its registration id: a disabled device's renewals and"
            + " registrations are refused; its certificates and registration are kept.",
    subcommands = {
      DeviceCommand.Show.class,
      DeviceCommand.Disable.class,
      DeviceCommand.Enable.class
    })
final class DeviceCommand {
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

  static String id(String given) {
    if (!ID.matcher(given).matches()) {
      throw new CliFailure(
          CliFailure.USAGE,
          "'" + given + "' is not a registration id (1-128 letters, digits, '.', '_', ':' or '-')");
    }
    return given;
  }

  /** One line per fact, for people. */
  static void print(JsonNode d) {
    System.out.println(
        d.get("registrationId").asText()
            + ": "
            + (d.get("disabled").asBoolean()
                ? "disabled since "
                    + d.get("disabledAt").asText()
                    + (d.get("note").isNull() ? "" : " (" + d.get("note").asText() + ")")
                : "enabled"));
    JsonNode reg = d.get("registration");
    System.out.println(
        reg == null || reg.isNull()
            ? "  not registered"
            : "  registered to "
                + reg.get("assignedHub").asText()
                + " as "
                + reg.get("deviceId").asText()
                + ", last "
                + reg.get("lastUpdatedAt").asText());
    for (JsonNode c : d.get("certificates")) {
      System.out.println(
          "  certificate "
              + c.get("serial").asText()
              + " "
              + c.get("label").asText()
              + " until "
              + c.get("notAfter").asText()
              + (c.get("revokedAt").isNull()
                  ? ""
                  : " revoked " + c.get("revocationReason").asText()));
    }
  }

  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = "Prints whether the device is disabled, its registration and certificates.")
  static final class Show implements Callable<Integer> {
    @Mixin AdminConnection admin;

    @Parameters(paramLabel = "ID", description = "The device's registration id.")
    String id;

    @Override
    public Integer call() throws Exception {
      print(admin.call("GET", "devices/" + id(id), null));
      return 0;
    }
  }

  @Command(
      name = "disable",
      mixinStandardHelpOptions = true,
      description =
          "Refuses the device's renewals (EST with its certificates) and registrations from now on.")
  static final class Disable implements Callable<Integer> {
    @Mixin AdminConnection admin;

    @Parameters(paramLabel = "ID", description = "The device's registration id.")
    String id;

    @Option(names = "--note", paramLabel = "TEXT", description = "Why (kept with the state).")
    String note;

    @Override
    public Integer call() throws Exception {
      ObjectNode body = AdminConnection.json().createObjectNode();
      if (note != null) {
        body.put("note", note);
      }
      print(admin.call("POST", "devices/" + id(id) + "/disable", body));
      return 0;
    }
  }

  @Command(
      name = "enable",
      mixinStandardHelpOptions = true,
      description = "Lets a disabled device renew and register again.")
  static final class Enable implements Callable<Integer> {
    @Mixin AdminConnection admin;

    @Parameters(paramLabel = "ID", description = "The device's registration id.")
    String id;

    @Override
    public Integer call() throws Exception {
      JsonNode d = admin.call("POST", "devices/" + id(id) + "/enable", null);
      if (!d.path("wasDisabled").asBoolean()) {
        System.out.println(d.get("registrationId").asText() + " was not disabled");
      }
      print(d);
      return 0;
    }
  }
}
