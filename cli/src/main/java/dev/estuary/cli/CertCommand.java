package dev.estuary.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code estuary server cert show|revoke SERIAL}. */
@Command(name = "cert", mixinStandardHelpOptions = true, description = "Look up or revoke issued certificates.",
    subcommands = {CertCommand.Show.class, CertCommand.Revoke.class})
final class CertCommand {

  @Command(name = "show", mixinStandardHelpOptions = true, description = "Prints what the server recorded for a serial number.")
  static final class Show implements Callable<Integer> {
    @Mixin AdminConnection admin;

    @Parameters(paramLabel = "SERIAL", description = "Serial number in hex (as openssl x509 -serial prints it).")
    String serial;

    @Override
    public Integer call() throws Exception {
      System.out.println(admin.call("GET", "certificates/" + serial, null).toPrettyString());
      return 0;
    }
  }

  @Command(name = "revoke", mixinStandardHelpOptions = true,
      description = "Marks a certificate revoked: it no longer authenticates to any EST label.")
  static final class Revoke implements Callable<Integer> {
    @Mixin AdminConnection admin;

    @Parameters(paramLabel = "SERIAL", description = "Serial number in hex.")
    String serial;

    @Option(names = "--reason", defaultValue = "unspecified", description = "Reason recorded (default: ${DEFAULT-VALUE}).")
    String reason;

    @Override
    public Integer call() throws Exception {
      var body = AdminConnection.json().createObjectNode().put("reason", reason);
      var r = admin.call("POST", "certificates/" + serial + "/revoke", body);
      System.out.println("revoked " + r.get("serial").asText() + " (" + r.get("subject").asText() + ") at " + r.get("revokedAt").asText());
      return 0;
    }
  }
}
