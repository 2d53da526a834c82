package dev.estuary.cli;

import dev.estuary.server.ca.Rollover;
import dev.estuary.server.install.CaMaintenance;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code estuary server ca list|roll|roll-root|switch-root|retire|retire-root}: CA rollover on a
 * data directory's keystores (docs/operations.md, "CA rollover"). The commands write the keystore
 * files (atomically); a running server watches its keystore and takes the change up by itself.
 */
@Command(
    name = "ca",
    mixinStandardHelpOptions = true,
    description = {
      "CA rollover on a data directory's keystores (docs/operations.md, \"CA rollover\").",
      "A running server (each replica sharing the keystore) takes up what these commands write"
          + " within a second or two, without a restart."
    },
    subcommands = {
      CaCommand.ListCas.class,
      CaCommand.Roll.class,
      CaCommand.RollRoot.class,
      CaCommand.SwitchRoot.class,
      CaCommand.Retire.class,
      CaCommand.RetireRoot.class
    })
final class CaCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new CliFailure(
        CliFailure.USAGE,
        "give a subcommand: list, roll, roll-root, switch-root, retire, retire-root");
  }

  /** The options every step takes. */
  static class Where {
    @Option(
        names = "--data-dir",
        required = true,
        paramLabel = "DIR",
        description = "The data directory (with its server.toml).")
    Path dataDir;

    @Option(
        names = "--offline-keys",
        paramLabel = "FILE",
        description =
            "The keystore holding the root's (and TLS CA's) key, same passphrase"
                + " (default: DIR/offline/root-and-tls-ca.p12 when it exists).")
    Path offlineKeys;

    CaMaintenance open() throws Exception {
      try {
        return CaMaintenance.open(dataDir, offlineKeys, Clock.systemUTC(), new SecureRandom());
      } catch (IllegalArgumentException e) {
        throw new CliFailure(CliFailure.USAGE, e.getMessage(), e);
      }
    }
  }

  /** Runs a step; a refusal is one line and exit code 1, a wrong argument exit code 2. */
  static int report(StepRun run) throws Exception {
    List<Rollover.Step> steps;
    try {
      steps = run.run();
    } catch (IllegalStateException e) {
      throw new CliFailure(CliFailure.FAILED, e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new CliFailure(CliFailure.USAGE, e.getMessage(), e);
    }
    for (Rollover.Step s : steps) {
      System.out.println(s.alias() + ": " + s.what());
    }
    System.out.println(
        "a running server takes this up within a second or two (it watches its keystore; no"
            + " restart); a replica with its own copy of the keystore, when the copy arrives");
    return 0;
  }

  @FunctionalInterface
  interface StepRun {
    List<Rollover.Step> run() throws Exception;
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description =
          "Lists the CA and TLS entries of the keystores: alias, kind, subject, validity.")
  static final class ListCas extends Where implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
      open().list().forEach(System.out::println);
      return 0;
    }
  }

  @Command(
      name = "roll",
      mixinStandardHelpOptions = true,
      description = {
        "A new generation of a label's issuing CA (new key, same root; alias <ca>.gN).",
        "From the next start it issues; the old one keeps renewing what it issued until retired."
      })
  static final class Roll extends Where implements Callable<Integer> {
    @Option(
        names = "--label",
        paramLabel = "LABEL",
        description = "The label whose CA to roll (server.toml [labels.LABEL]).")
    String label;

    @Option(
        names = "--ca",
        paramLabel = "ALIAS",
        description = "Or the CA by its alias (e.g. tls-ca).")
    String ca;

    @Override
    public Integer call() throws Exception {
      if ((label == null) == (ca == null)) {
        throw new CliFailure(CliFailure.USAGE, "give --label or --ca, one of them");
      }
      CaMaintenance m = open();
      String base = ca;
      if (label != null) {
        try {
          base = m.caOf(label);
        } catch (IllegalArgumentException e) {
          throw new CliFailure(CliFailure.USAGE, e.getMessage(), e);
        }
      }
      String b = base;
      return report(() -> m.roll(b));
    }
  }

  @Command(
      name = "roll-root",
      mixinStandardHelpOptions = true,
      description = {
        "A new root and the RFC 7030 root key update certificates (OldWithOld, OldWithNew,",
        "NewWithOld, NewWithNew), served by cacerts from the next start. Nothing moves yet."
      })
  static final class RollRoot extends Where implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
      CaMaintenance m = open();
      return report(m::rollRoot);
    }
  }

  @Command(
      name = "switch-root",
      mixinStandardHelpOptions = true,
      description = {
        "Moves every issuing CA and the TLS certificate under the new root (new generations;",
        "the TLS chain carries the NewWithOld link for devices that trust only the old root)."
      })
  static final class SwitchRoot extends Where implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
      CaMaintenance m = open();
      return report(m::switchRoot);
    }
  }

  @Command(
      name = "retire",
      mixinStandardHelpOptions = true,
      description = {
        "Removes an old issuing CA generation; refuses while it is current, or anything it",
        "issued is still valid (H2: stop the server first)."
      })
  static final class Retire extends Where implements Callable<Integer> {
    @Option(
        names = "--alias",
        required = true,
        paramLabel = "ALIAS",
        description = "The generation to retire (see estuary server ca list).")
    String alias;

    @Override
    public Integer call() throws Exception {
      CaMaintenance m = open();
      return report(() -> m.retire(alias));
    }
  }

  @Command(
      name = "retire-root",
      mixinStandardHelpOptions = true,
      description = {
        "Retires the old root: refuses, saying what, while a CA, the TLS certificate or an issued",
        "certificate under it is still valid (H2: stop the server first)."
      })
  static final class RetireRoot extends Where implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
      CaMaintenance m = open();
      return report(m::retireRoot);
    }
  }
}
