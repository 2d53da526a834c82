package dev.estuary.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code estuary} command. */
@Command(
    name = "estuary",
    mixinStandardHelpOptions = true,
    versionProvider = Estuary.Version.class,
    description = "Certificate identities for IoT edge fleets: EST server (RFC 7030), device agent, provisioning.",
    subcommands = {ServerCommand.class, dev.estuary.cli.agent.AgentCommand.class, dev.estuary.cli.demo.DemoCommand.class, dev.estuary.cli.bench.BenchCommand.class, CommandLine.HelpCommand.class},
    footer = {"", "Run the test suite with ./estuary test (./mvnw verify). Docs: README.md and docs/."})
public final class Estuary {
  public static void main(String[] args) {
    int code = new CommandLine(new Estuary()).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
    if (code != 0 || !ServerCommand.serving()) {
      System.exit(code);
    }
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Estuary.class.getPackage().getImplementationVersion();
      return new String[] {"estuary " + (v == null ? "dev" : v) + " (Java " + Runtime.version() + ")"};
    }
  }
}
