package dev.estuary.server.ca;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a rolled CA is kept in the key source: every generation of a CA under its own alias, the
 * first under the alias server.toml names ({@code device-id-ca}), the later ones under that alias
 * with {@code .g2}, {@code .g3}, … ({@code device-id-ca.g2}). The key source is the record of a
 * rollover: what the server needs after a restart is which generations exist, and that is the
 * aliases. The current generation is the newest one valid now; the older ones still valid keep
 * authenticating what they issued and stay in {@code cacerts} until they are retired (removed).
 *
 * <p>Roots the same way ({@code root}, {@code root.g2}), with their RFC 7030 §4.1.3 root key update
 * certificates as certificate entries {@code root-link.gN.old-with-old}, {@code .old-with-new},
 * {@code .new-with-old}, {@code .new-with-new} (N: the new root's generation). No I/O.
 */
public final class CaGenerations {
  private CaGenerations() {}

  /** The alias of the root's first generation. */
  public static final String ROOT = "root";

  /** The prefix of the root key update certificates' entries. */
  public static final String LINK_PREFIX = "root-link.g";

  /**
   * The prefix of a retired generation's certificate entry ({@code retired.device-id-ca}): its key
   * is gone, the certificate stays so that an enrollment naming it still finds its CA's newer
   * generations.
   */
  public static final String RETIRED_PREFIX = "retired.";

  private static final Pattern GENERATION = Pattern.compile("(.+)\\.g([0-9]+)");

  /** The alias server.toml names for {@code alias} ({@code device-id-ca.g2} → device-id-ca). */
  public static String base(String alias) {
    Matcher m = GENERATION.matcher(alias);
    return m.matches() ? m.group(1) : alias;
  }

  /** 1 for the base alias, N for {@code base.gN}. */
  public static int number(String alias) {
    Matcher m = GENERATION.matcher(alias);
    return m.matches() ? Integer.parseInt(m.group(2)) : 1;
  }

  /** The alias of generation {@code n} of {@code base}. */
  public static String alias(String base, int n) {
    return n == 1 ? base : base + ".g" + n;
  }

  /** The aliases of {@code base}'s generations among {@code aliases}, oldest first. */
  public static List<String> of(Collection<String> aliases, String base) {
    List<String> out = new ArrayList<>();
    for (String a : aliases) {
      if (!a.startsWith(LINK_PREFIX) && !a.startsWith(RETIRED_PREFIX) && base(a).equals(base)) {
        out.add(a);
      }
    }
    out.sort(Comparator.comparingInt(CaGenerations::number));
    return out;
  }

  /** The alias of the generation after the newest of {@code generations}. */
  public static String next(String base, List<String> generations) {
    int n = generations.isEmpty() ? 1 : number(generations.getLast()) + 1;
    return alias(base, n);
  }

  /** The certificate is valid at {@code now}. */
  public static boolean validAt(X509Certificate c, Instant now) {
    return !now.isBefore(c.getNotBefore().toInstant()) && now.isBefore(c.getNotAfter().toInstant());
  }

  /**
   * The index of the current generation among {@code certificates} (oldest first): the newest valid
   * at {@code now}, else the newest.
   */
  public static int current(List<X509Certificate> certificates, Instant now) {
    for (int i = certificates.size() - 1; i >= 0; i--) {
      if (validAt(certificates.get(i), now)) {
        return i;
      }
    }
    return certificates.size() - 1;
  }
}
