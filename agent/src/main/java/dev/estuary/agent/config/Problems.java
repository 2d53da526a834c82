package dev.estuary.agent.config;

import java.util.ArrayList;
import java.util.List;

/** Collects the problems of one parse, in the order they are found. */
final class Problems {
  private final List<ConfigProblem> found = new ArrayList<>();

  void error(String path, String message) {
    found.add(ConfigProblem.error(path, message));
  }

  void warning(String path, String message) {
    found.add(ConfigProblem.warning(path, message));
  }

  boolean hasErrors() {
    return found.stream().anyMatch(ConfigProblem::isError);
  }

  List<ConfigProblem> all() {
    return List.copyOf(found);
  }
}
