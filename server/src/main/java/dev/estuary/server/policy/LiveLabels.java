package dev.estuary.server.policy;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The labels in force now. A CA rollover changes what they issue from and trust (the newest CA
 * generation, the earlier ones still valid, the root key update certificates), so the server
 * replaces them as a whole when its keys change, without a restart; everything that serves a
 * request reads {@link #now()} per request, and whatever derives something from them (the cacerts
 * answers, the published CRLs) follows {@link #follow}. The label names never change: they come
 * from the configuration.
 */
public final class LiveLabels {
  private volatile Map<String, Label> current;
  private final List<Consumer<Map<String, Label>>> followers = new CopyOnWriteArrayList<>();

  public LiveLabels(Map<String, Label> labels) {
    this.current = copy(labels);
  }

  /** The labels as they are now, by name (in configuration order; unmodifiable). */
  public Map<String, Label> now() {
    return current;
  }

  /** Calls {@code follower} with the labels now, and again after every {@link #replace}. */
  public void follow(Consumer<Map<String, Label>> follower) {
    followers.add(follower);
    follower.accept(current);
  }

  /**
   * Puts {@code next} in force: requests that start after this see it, then each follower is told.
   *
   * @throws IllegalArgumentException when the label names differ from those in force
   */
  public synchronized void replace(Map<String, Label> next) {
    if (!next.keySet().equals(current.keySet())) {
      throw new IllegalArgumentException(
          "the labels are " + current.keySet() + ", not " + next.keySet());
    }
    current = copy(next);
    for (Consumer<Map<String, Label>> f : followers) {
      f.accept(current);
    }
  }

  private static Map<String, Label> copy(Map<String, Label> labels) {
    Map<String, Label> m = new LinkedHashMap<>();
    labels.forEach((k, v) -> m.put(Objects.requireNonNull(k), Objects.requireNonNull(v)));
    return Collections.unmodifiableMap(m);
  }
}
