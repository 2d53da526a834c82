package dev.estuary.server.provisioning;

import dev.estuary.server.policy.Label;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The generations of each label's CA (a rollover keeps the older ones valid beside the new one): an
 * enrollment that trusts one generation trusts the others, so a device whose certificate comes from
 * the new issuing CA still registers under the group that named the old one. No I/O.
 */
final class CaFamilies {
  private final Map<X509Certificate, List<X509Certificate>> others;

  private CaFamilies(Map<X509Certificate, List<X509Certificate>> others) {
    this.others = others;
  }

  static CaFamilies of(Collection<Label> labels) {
    Map<X509Certificate, List<X509Certificate>> others = new HashMap<>();
    for (Label label : labels) {
      List<X509Certificate> family = new ArrayList<>();
      family.add(label.ca().certificate());
      family.addAll(label.previousCas());
      family.addAll(label.retiredCas());
      for (X509Certificate member : family) {
        // a retired generation is never an anchor itself: only the live ones are offered
        List<X509Certificate> rest = new ArrayList<>(family);
        rest.removeAll(label.retiredCas());
        rest.remove(member);
        others.merge(
            member,
            rest,
            (a, b) -> {
              List<X509Certificate> both = new ArrayList<>(a);
              b.stream().filter(c -> !both.contains(c)).forEach(both::add);
              return both;
            });
      }
    }
    return new CaFamilies(others);
  }

  /** The other generations of {@code ca}, empty when it has none. */
  List<X509Certificate> generationsOf(X509Certificate ca) {
    return others.getOrDefault(ca, List.of());
  }
}
