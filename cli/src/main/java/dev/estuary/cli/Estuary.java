package dev.estuary.cli;

import dev.estuary.cli.agent.AgentCommand;
import dev.estuary.cli.bench.BenchCommand;
import dev.estuary.cli.demo.DemoCommand;
import dev.estuary.cli.factory.FactoryCommand;
import java.util.Arrays;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code estuary} command. */
@Command(
    name = "estuary",
    mixinStandardHelpOptions = true,
    versionProvider = Estuary.Version.class,
    description =
        "Certificate identities for IoT edge fleets: EST server (RFC 7030), device agent, provisioning.",
    subcommands = {
      ServerCommand.class,
      AgentCommand.class,
      DemoCommand.class,
      FactoryCommand.class,
      BenchCommand.class,
      CommandLine.HelpCommand.class
    },
    footer = {
      "",
      "Run the test suite with ./estuary test (installs what it needs, then ./mvnw verify).",
      "Exit codes: 0 done, 1 failed, 2 wrong usage or configuration, 3 no server to talk to, 4 not found (README.md).",
      "ESTUARY_DEBUG=1 adds the stack trace to an error. Docs: README.md and docs/."
    })
public final class Estuary {
  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("agent")) {
      System.exit(agent().execute(Arrays.copyOfRange(args, 1, args.length)));
    }
    int code =
        OneLineErrors.install(
                new CommandLine(new Estuary()).setCaseInsensitiveEnumValuesAllowed(true))
            .execute(args);
    if (code != 0 || !ServerCommand.serving()) {
      System.exit(code);
    }
  }

  /**
   * {@code estuary agent ...} on its own: picocli builds every command it is given, and the
   * server's commands would load their classes (the admin client's JSON library among them) into a
   * device's small daemon for nothing. Help and errors read the same ("estuary agent run").
   */
  static CommandLine agent() {
    CommandLine agent =
        OneLineErrors.install(
            new CommandLine(new AgentCommand()).setCaseInsensitiveEnumValuesAllowed(true));
    agent.setCommandName("estuary agent");
    return agent;
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      // The jar's manifest carries the Maven project version (cli/pom.xml); classes outside a jar
      // have none.
      String v = Estuary.class.getPackage().getImplementationVersion();
      return new String[] {
        "estuary "
            + (v == null ? "(not from a jar: no version)" : v)
            + " (Java "
            + Runtime.version()
            + ")"
      };
    }
  }
}
