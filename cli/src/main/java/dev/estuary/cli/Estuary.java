package dev.estuary.cli;

import dev.estuary.cli.agent.AgentCommand;
import java.util.Arrays;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code estuary} command. */
@Command(
    name = "estuary",
    mixinStandardHelpOptions = true,
    versionProvider = Estuary.Version.class,
    description = "Certificate identities for IoT edge fleets: EST server (RFC 7030), device agent, provisioning.",
    subcommands = {ServerCommand.class, AgentCommand.class, dev.estuary.cli.demo.DemoCommand.class, dev.estuary.cli.bench.BenchCommand.class, CommandLine.HelpCommand.class},
    footer = {"", "Run the test suite with ./estuary test (./mvnw verify). Docs: README.md and docs/."})
public final class Estuary {
  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("agent")) {
      System.exit(agent().execute(Arrays.copyOfRange(args, 1, args.length)));
    }
    int code = new CommandLine(new Estuary()).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
    if (code != 0 || !ServerCommand.serving()) {
      System.exit(code);
    }
  }

  /**
   * {@code estuary agent ...} on its own: picocli builds every command it is given, and the
   * server's commands would load their classes (the admin client's JSON library among them) into
   * a device's small daemon for nothing. Help and errors read the same ("estuary agent run").
   */
  static CommandLine agent() {
    CommandLine agent = new CommandLine(new AgentCommand()).setCaseInsensitiveEnumValuesAllowed(true);
    agent.setCommandName("estuary agent");
    return agent;
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Estuary.class.getPackage().getImplementationVersion();
      return new String[] {"estuary " + (v == null ? "dev" : v) + " (Java " + Runtime.version() + ")"};
    }
  }
}
