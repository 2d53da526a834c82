package dev.estuary.cli.agent;

import dev.estuary.agent.check.CredentialContents;
import dev.estuary.agent.config.AgentConfig;
import dev.estuary.agent.config.EffectiveConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code estuary agent config apply}. */
@Command(
    name = "config",
    mixinStandardHelpOptions = true,
    description = "Configuration commands.",
    subcommands = ConfigCommand.Apply.class)
public final class ConfigCommand {

  /** Validates the file, reports every problem at once, writes the effective configuration. */
  @Command(
      name = "apply",
      mixinStandardHelpOptions = true,
      description = {
        "Validates config.toml and its identity files, reporting every mistake at once.",
        "Each line is key path: what is wrong; the certificate and key files are read too (a key that",
        "is no key, or another certificate's). When all is valid, it writes",
        "<state_dir>/effective-config.toml: what the agent will use.",
        "Exit status: 0 valid (warnings allowed), 2 errors."
      })
  public static final class Apply implements Callable<Integer> {
    @Mixin AgentOptions options;

    @Override
    public Integer call() throws Exception {
      Optional<AgentConfig> config = options.load(System.err, "config apply");
      if (config.isEmpty()) {
        return 2;
      }
      // The files parse and belong together: a garbage key or another certificate's key is an error
      // here,
      // not a renewal failing every minute later.
      List<String> contents = CredentialContents.problems(config.get());
      if (!contents.isEmpty()) {
        contents.forEach(System.err::println);
        System.err.println(
            "estuary agent config apply: "
                + options.config
                + " has "
                + contents.size()
                + " error(s); nothing done");
        return 2;
      }
      Path written = EffectiveConfig.write(config.get());
      System.out.println(
          "config " + options.config + " is valid; effective configuration written to " + written);
      return 0;
    }
  }
}
