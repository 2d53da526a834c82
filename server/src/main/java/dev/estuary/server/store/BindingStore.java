package dev.estuary.server.store;

import java.util.List;
import java.util.Optional;

/** Name bindings (table {@code name_binding}). Thread-safe. */
public interface BindingStore {
  /**
   * Binds {@code binding.name()} in its label to its principal unless the name is already bound.
   *
   * @return the binding in force afterwards: {@code binding} itself (equal to it) when the name was
   *     free, else the one that was there first
   */
  NameBinding bind(NameBinding binding);

  Optional<NameBinding> find(String label, String name);

  /** The names {@code principal} holds in {@code label}, oldest first. */
  List<NameBinding> findByPrincipal(String label, String principal);

  /**
   * Every binding of {@code label}, or of every label when null, oldest first, at most {@code
   * limit}.
   */
  List<NameBinding> list(String label, int limit);

  /**
   * @return false when the name was not bound
   */
  boolean release(String label, String name);

  /** As {@link #release(String, String)}, naming who released it in the audit log. */
  default boolean release(String label, String name, String actor) {
    return release(label, name);
  }
}
