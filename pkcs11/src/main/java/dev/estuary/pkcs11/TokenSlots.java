package dev.estuary.pkcs11;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Security;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The tokens a PKCS#11 module offers, found through SunPKCS11. SunPKCS11 can only be told a slot
 * (ID or list index), and slot order is not stable (SoftHSM2 lists tokens by random slot IDs), yet
 * the JDK exposes a token's label, serial, manufacturer and model only through its documented
 * {@code showInfo} printout: so each slot is probed with {@code showInfo=true} while standard
 * output is captured. Probes never log in; run them once, at startup.
 */
public final class TokenSlots {
  private static final Object PROBE_LOCK = new Object();
  private static final Pattern ALL_SLOTS = Pattern.compile("All slots: ([0-9, ]*)");
  private static final Pattern TOKEN_INFO =
      Pattern.compile(
          "Token info for token in slot (\\d+):\\R"
              + "\\s*label: ([^\\r\\n]*)\\R"
              + "\\s*manufacturerID: ([^\\r\\n]*)\\R"
              + "\\s*model: ([^\\r\\n]*)\\R"
              + "\\s*serialNumber: ([^\\r\\n]*)\\R"
              + "\\s*flags: ([^\\r\\n]*)");

  private TokenSlots() {}

  /**
   * Every initialised token the module at {@code library} reports, in slot list order; slots
   * without a token, or with one not initialised, are left out.
   *
   * @throws GeneralSecurityException if the module cannot be loaded or lists no slots
   */
  public static List<TokenInfo> list(Path library) throws GeneralSecurityException {
    List<TokenInfo> tokens = new ArrayList<>();
    int slots = 1;
    for (int i = 0; i < slots; i++) {
      Probe probe =
          probe(
              "--name=estuary-probe-"
                  + i
                  + "\nlibrary="
                  + library
                  + "\nslotListIndex="
                  + i
                  + "\nshowInfo=true\n");
      if (i == 0) {
        Matcher all = ALL_SLOTS.matcher(probe.printed());
        if (!all.find()) {
          throw new GeneralSecurityException(
              "PKCS#11 module "
                  + library
                  + " could not be loaded or lists no slots"
                  + (probe.error() == null ? "" : ": " + probe.error().getMessage()),
              probe.error());
        }
        slots = all.group(1).isBlank() ? 0 : all.group(1).split(",").length;
      }
      Matcher token = TOKEN_INFO.matcher(probe.printed());
      if (token.find() && token.group(6).contains("CKF_TOKEN_INITIALIZED")) {
        tokens.add(
            new TokenInfo(
                Long.parseLong(token.group(1)),
                token.group(2).strip(),
                token.group(3).strip(),
                token.group(4).strip(),
                token.group(5).strip()));
      }
    }
    return List.copyOf(tokens);
  }

  /** The tokens' labels for a message, e.g. {@code 'edge', 'decoy'}, or {@code none}. */
  public static String labels(List<TokenInfo> tokens) {
    return tokens.isEmpty()
        ? "none"
        : tokens.stream().map(t -> "'" + t.label() + "'").collect(Collectors.joining(", "));
  }

  private record Probe(String printed, RuntimeException error) {}

  private static Probe probe(String conf) {
    synchronized (PROBE_LOCK) {
      PrintStream out = System.out;
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      RuntimeException error = null;
      System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
      try {
        Security.getProvider("SunPKCS11").configure(conf);
      } catch (RuntimeException e) {
        error = e; // an empty or uninitialised slot: what it printed before failing still names it
      } finally {
        System.out.flush();
        System.setOut(out);
      }
      return new Probe(buf.toString(StandardCharsets.UTF_8), error);
    }
  }
}
