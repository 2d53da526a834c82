package dev.estuary.config;

import java.util.ArrayList;
import java.util.List;

/** Collects the problems of one parse, in the order they are found. */
public final class Problems {
  private final List<ConfigProblem> found = new ArrayList<>();

  public void error(String path, String message) {
    found.add(ConfigProblem.error(path, message));
  }

  public void warning(String path, String message) {
    found.add(ConfigProblem.warning(path, message));
  }

  public boolean hasErrors() {
    return found.stream().anyMatch(ConfigProblem::isError);
  }

  /** How many errors were found so far: a reader compares it before and after a part. */
  public int errorCount() {
    return (int) found.stream().filter(ConfigProblem::isError).count();
  }

  public List<ConfigProblem> all() {
    return List.copyOf(found);
  }
}
