package dev.estuary.server.policy;

import java.util.Optional;

/** What the policy reads of the name bindings (the store answers; a map in unit tests). */
public interface NameBindings {
  /** The principal {@code name} is bound to in {@code label}. */
  Optional<String> holderOf(String label, String name);

  /** A name {@code principal} holds in {@code label}, if any. */
  Optional<String> nameOf(String label, String principal);

  NameBindings NONE =
      new NameBindings() {
        @Override
        public Optional<String> holderOf(String label, String name) {
          return Optional.empty();
        }

        @Override
        public Optional<String> nameOf(String label, String principal) {
          return Optional.empty();
        }
      };
}
