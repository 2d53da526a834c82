package dev.estuary.cli;

import picocli.CommandLine.Option;

/** The role of an admin API token or console user being created ({@code --role}). */
final class RoleOption {
  @Option(
      names = "--role",
      required = true,
      paramLabel = "ROLE",
      description = "admin, operator or auditor.")
  String role;
}
