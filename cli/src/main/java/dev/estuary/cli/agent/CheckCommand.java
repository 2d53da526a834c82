package dev.estuary.cli.agent;

import dev.estuary.agent.check.AgentCheck;
import dev.estuary.agent.check.CheckResult;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code estuary agent check}. */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    description = {
      "Like `iotedge check`: one line per check (✓ passed, ! warning, ✗ failed), with a hint.",
      "Checks the configuration and identity files, EST servers (reachable, TLS trusted, cacerts),",
      "the clock, each credential (present, valid, next renewal), key file permissions and the",
      "provisioning endpoint. Read-only, safe beside a running agent.",
      "Exit status: 0 when nothing failed, 1 otherwise."
    })
public final class CheckCommand implements Callable<Integer> {
  @Mixin AgentOptions options;

  @Override
  public Integer call() {
    List<CheckResult> results = AgentCheck.run(options.config, options.parse(), Clock.systemUTC());
    results.forEach(System.out::println);
    long failed = results.stream().filter(r -> r.outcome() == CheckResult.Outcome.FAILED).count();
    long warnings =
        results.stream().filter(r -> r.outcome() == CheckResult.Outcome.WARNING).count();
    System.out.println();
    System.out.println(
        results.size() + " checks: " + failed + " failed, " + warnings + " warning(s)");
    return failed == 0 ? 0 : 1;
  }
}
