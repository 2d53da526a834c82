package dev.estuary.cli.factory;

import picocli.CommandLine.Command;

/** {@code estuary factory}: tools for the factory line. */
@Command(
    name = "factory",
    mixinStandardHelpOptions = true,
    description = "The factory line: birth certificates (IDevIDs) for many devices at once.",
    subcommands = {IdevidCommand.class})
public final class FactoryCommand {}
