package dev.estuary.agent.check;

import java.util.Objects;
import java.util.Optional;

/**
 * One line of {@code estuary agent check}.
 *
 * @param outcome passed, passed with a warning, or failed
 * @param name what was checked, e.g. {@code "device-id"}
 * @param detail what was found, one line
 * @param hint what to do about a warning or failure
 */
public record CheckResult(Outcome outcome, String name, String detail, Optional<String> hint) {

  /** How a check ended. */
  public enum Outcome {
    OK("✓"),
    WARNING("!"),
    FAILED("✗");

    private final String mark;

    Outcome(String mark) {
      this.mark = mark;
    }

    /** ✓, ! or ✗. */
    public String mark() {
      return mark;
    }
  }

  public CheckResult {
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(detail, "detail");
    Objects.requireNonNull(hint, "hint");
  }

  static CheckResult ok(String name, String detail) {
    return new CheckResult(Outcome.OK, name, detail, Optional.empty());
  }

  static CheckResult warning(String name, String detail, String hint) {
    return new CheckResult(Outcome.WARNING, name, detail, Optional.of(hint));
  }

  static CheckResult failed(String name, String detail, String hint) {
    return new CheckResult(Outcome.FAILED, name, detail, Optional.of(hint));
  }

  /** {@code ✓ name: detail}, and the hint on the next line when there is one. */
  @Override
  public String toString() {
    return outcome.mark()
        + " "
        + name
        + ": "
        + detail
        + hint.map(h -> "\n    hint: " + h).orElse("");
  }
}
