package dev.estuary.sim;

import dev.estuary.config.ConfigProblem;
import dev.estuary.config.Problems;
import dev.estuary.config.Section;
import dev.estuary.config.TomlFiles;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.tomlj.TomlParseResult;

/**
 * A scenario file: events at simulated times from the start of the run, each an {@code [[event]]}
 * table with {@code at} and {@code do}. Every problem of the file is reported at once, each naming
 * its key ({@code event[2].for: …}).
 *
 * <pre>
 * [[event]]
 * at = "12m"
 * do = "kill-replica"       # kill -9; restart after restart_after (default 30s)
 * replica = 1               # default: the next one, round-robin
 * every = "8m"              # optional: again every 8m until the end
 *
 * [[event]]
 * at = "20m"
 * do = "db-stop"            # and "db-start"
 *
 * [[event]]
 * at = "5m"
 * do = "net"
 * fault = "reset"           # refuse | slow | reset
 * for = "2m"
 * percent = 30              # of new connections (default 100)
 * delay = "5s"              # slow: per chunk
 *
 * [[event]]
 * do = "roll-ca"            # label = "device-id"; also "roll-root", "switch-root"
 * [[event]]
 * do = "revoke"             # devices = 10: their certificates in force, by the admin API
 * [[event]]
 * do = "skew"               # devices = 10, by = "2m", direction = "behind" | "ahead"
 * </pre>
 */
record Scenario(List<Event> events) {
  static final List<String> KINDS =
      List.of(
          "kill-replica",
          "db-stop",
          "db-start",
          "net",
          "roll-ca",
          "roll-root",
          "switch-root",
          "revoke",
          "skew");

  /** One event; the fields a kind does not use are null or zero. */
  record Event(
      Duration at,
      String kind,
      int replica,
      Duration restartAfter,
      Duration every,
      FaultProxy.Mode fault,
      Duration lasting,
      int percent,
      Duration delay,
      String label,
      int devices,
      Duration skew) {
    String describe() {
      return switch (kind) {
        case "kill-replica" ->
            "kill -9 replica "
                + (replica == 0 ? "(next)" : replica)
                + ", restart after "
                + restartAfter
                + (every == null ? "" : ", every " + every);
        case "net" ->
            "network "
                + fault.name().toLowerCase(Locale.ROOT)
                + " for "
                + lasting
                + " on "
                + percent
                + "% of connections";
        case "roll-ca" -> "roll the issuing CA of " + label;
        case "revoke" -> "revoke the certificates of " + devices + " devices";
        case "skew" -> "skew the clocks of " + devices + " devices by " + skew;
        default -> kind;
      };
    }
  }

  static Scenario none() {
    return new Scenario(List.of());
  }

  /**
   * Reads {@code file}.
   *
   * @throws IllegalArgumentException listing every problem, one per line
   */
  static Scenario read(Path file) {
    Problems problems = new Problems();
    Optional<TomlParseResult> toml = TomlFiles.read(file, problems);
    List<Event> events = new ArrayList<>();
    if (toml.isPresent()) {
      Section root = Section.root(toml.get(), problems, "not used by estuary sim", true);
      root.checkKeys(Set.of("event"), Set.of());
      for (Section e : root.tables("event")) {
        event(e).ifPresent(events::add);
      }
    }
    if (problems.hasErrors()) {
      throw new IllegalArgumentException(
          "scenario "
              + file
              + ":\n"
              + problems.all().stream()
                  .filter(ConfigProblem::isError)
                  .map(p -> "  " + p)
                  .collect(Collectors.joining("\n")));
    }
    events.sort(Comparator.comparing(Event::at));
    return new Scenario(List.copyOf(events));
  }

  private static Optional<Event> event(Section e) {
    int before = e.problems().errorCount();
    Optional<String> kind = e.oneOf("do", KINDS);
    if (!e.has("do")) {
      e.error("do", "is missing; give one of " + String.join(", ", KINDS));
    }
    Duration at = e.duration("at").orElse(null);
    if (!e.has("at")) {
      e.error("at", "is missing: when the event happens, in simulated time from the start (12m)");
    }
    String k = kind.orElse("");
    Set<String> keys =
        switch (k) {
          case "kill-replica" -> Set.of("at", "do", "replica", "restart_after", "every");
          case "net" -> Set.of("at", "do", "fault", "for", "percent", "delay");
          case "roll-ca" -> Set.of("at", "do", "label");
          case "revoke" -> Set.of("at", "do", "devices");
          case "skew" -> Set.of("at", "do", "devices", "by", "direction");
          default -> Set.of("at", "do");
        };
    if (kind.isPresent()) {
      e.checkKeys(keys, Set.of());
    }
    int replica = e.integer("replica", 0, 1, 64);
    Duration restartAfter = e.duration("restart_after").orElse(Duration.ofSeconds(30));
    Duration every = e.duration("every").orElse(null);
    FaultProxy.Mode fault = null;
    Duration lasting = null;
    int percent = e.integer("percent", 100, 1, 100);
    Duration delay = e.duration("delay").orElse(Duration.ofSeconds(5));
    String label = null;
    int devices = 0;
    Duration skew = null;
    switch (k) {
      case "net" -> {
        fault =
            e.oneOf("fault", List.of("refuse", "slow", "reset"))
                .map(f -> FaultProxy.Mode.valueOf(f.toUpperCase(Locale.ROOT)))
                .orElse(null);
        if (!e.has("fault")) {
          e.error("fault", "is missing; give refuse, slow or reset");
        }
        lasting = e.duration("for").orElse(null);
        if (!e.has("for")) {
          e.error("for", "is missing: how long the fault lasts (simulated, e.g. 2m)");
        }
      }
      case "roll-ca" -> {
        label = e.oneOf("label", Cluster.LABELS).orElse(null);
        if (!e.has("label")) {
          e.error("label", "is missing; give one of " + String.join(", ", Cluster.LABELS));
        }
      }
      case "revoke" -> devices = requiredCount(e);
      case "skew" -> {
        devices = requiredCount(e);
        Duration by = e.duration("by").orElse(null);
        if (!e.has("by")) {
          e.error("by", "is missing: how far the clocks are off (simulated, e.g. 2m)");
        }
        String direction = e.oneOf("direction", List.of("behind", "ahead")).orElse("behind");
        if (by != null) {
          skew = direction.equals("behind") ? by.negated() : by;
        }
      }
      default -> {}
    }
    if (e.problems().errorCount() > before) {
      return Optional.empty();
    }
    return Optional.of(
        new Event(
            at,
            k,
            replica,
            restartAfter,
            every,
            fault,
            lasting,
            percent,
            delay,
            label,
            devices,
            skew));
  }

  private static int requiredCount(Section e) {
    if (!e.has("devices")) {
      e.error("devices", "is missing: how many devices");
      return 0;
    }
    return e.integer("devices", 0, 1, 10_000_000);
  }
}
