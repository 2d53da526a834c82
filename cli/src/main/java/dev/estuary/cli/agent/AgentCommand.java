package dev.estuary.cli.agent;

import picocli.CommandLine.Command;

/** {@code estuary agent}: the device side. */
@Command(
    name = "agent",
    mixinStandardHelpOptions = true,
    description = {
      "The device agent: keeps the EST identity, device identity and Edge CA of a config.toml renewed.",
      "It reads an Azure IoT Edge config.toml, obtains and renews the EST identity, the device identity",
      "and the Edge CA, and registers the device with the provisioning service.",
      "  estuary agent config apply -c config.toml   validate, write the effective configuration",
      "  estuary agent run -c config.toml [--once]   the daemon (or one pass)",
      "  estuary agent check -c config.toml          like iotedge check",
      "  estuary agent status | renew ID --now"
    },
    subcommands = {
      ConfigCommand.class,
      RunCommand.class,
      CheckCommand.class,
      StatusCommand.class,
      RenewCommand.class
    })
public final class AgentCommand {}
