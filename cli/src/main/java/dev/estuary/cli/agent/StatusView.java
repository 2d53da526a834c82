package dev.estuary.cli.agent;

import dev.estuary.agent.check.AgentCheck;
import dev.estuary.agent.daemon.StateFile;
import dev.estuary.agent.json.JsonObject;
import dev.estuary.agent.store.CertificateFiles;
import dev.estuary.agent.store.TrustStore;
import dev.estuary.agent.text.Printable;
import dev.estuary.pki.Thumbprints;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The agent's state for people: one block per credential, then provisioning. */
final class StatusView {
  private StatusView() {}

  /**
   * Prints what {@code <stateDir>/state.json} and the certificate files say, as of {@code now};
   * every text that came from a server is printed through {@link Printable} (no control characters
   * reach the terminal).
   */
  static void print(PrintStream out, Path stateDir, Instant now) throws IOException {
    Optional<JsonObject> state = StateFile.read(stateDir);
    if (state.isEmpty()) {
      out.println(
          "no agent state in "
              + stateDir
              + " (has `estuary agent run` run with this state directory?)");
      return;
    }
    CertificateFiles certs = new CertificateFiles(stateDir.resolve("certs"));
    JsonObject credentials = state.get().object("credentials");
    for (String id : credentials.names()) {
      credential(out, id, credentials.object(id), certs, now);
    }
    if (state.get().get("provisioning") instanceof JsonObject p) {
      out.println("provisioning");
      if (p.has("assigned_hub")) {
        out.println(
            "  assigned      hub "
                + Printable.of(p.text("assigned_hub", ""))
                + " as device "
                + Printable.of(p.text("device_id", ""))
                + " ("
                + Printable.of(p.text("substatus", ""))
                + ")");
        out.println(
            "  registered    "
                + Printable.of(p.text("registered_at", ""))
                + " with certificate "
                + Printable.of(p.text("certificate_sha256", "")));
      } else {
        out.println("  assigned      not yet");
      }
      if (p.has("last_error")) {
        out.println(
            "  last error    "
                + Printable.of(p.text("last_error", ""))
                + " ("
                + p.number("consecutive_failures", 0)
                + " failure(s) in a row)");
        out.println("  next attempt  " + at(Printable.of(p.text("next_attempt", "")), now));
      }
    }
    out.println("state updated " + Printable.of(state.get().text("updated_at", "?")));
  }

  /**
   * The roots the agent trusts: {@code configured} ({@code trusted_certs}) and those it added
   * through a root key update ({@link TrustStore#FILE} in the state directory).
   */
  static void trust(PrintStream out, Path stateDir, List<X509Certificate> configured, Instant now)
      throws IOException {
    out.println("trusted roots");
    for (X509Certificate c : configured) {
      out.println("  configured    " + root(c, now));
    }
    List<X509Certificate> added;
    try {
      added = TrustStore.read(stateDir.resolve(TrustStore.FILE));
    } catch (IOException e) {
      out.println("  added         " + Printable.of(e.getMessage()));
      return;
    }
    for (X509Certificate c : added) {
      out.println("  added         " + root(c, now) + " (root key update)");
    }
    if (configured.isEmpty() && added.isEmpty()) {
      out.println("  none found");
    }
  }

  private static String root(X509Certificate c, Instant now) {
    Instant until = c.getNotAfter().toInstant();
    return Printable.of(c.getSubjectX500Principal().getName())
        + " (sha256 "
        + Thumbprints.sha256(c).substring(0, 16)
        + "…, until "
        + until
        + (until.isBefore(now) ? ", expired" : "")
        + ")";
  }

  private static void credential(
      PrintStream out, String id, JsonObject c, CertificateFiles certs, Instant now)
      throws IOException {
    out.println(id);
    Optional<List<X509Certificate>> chain;
    try {
      chain = certs.read(id);
    } catch (IOException unreadable) {
      out.println("  certificate   " + Printable.of(unreadable.getMessage()));
      chain = Optional.empty();
    }
    if (chain.isPresent()) {
      X509Certificate leaf = chain.get().getFirst();
      Instant notAfter = leaf.getNotAfter().toInstant();
      out.println("  subject       " + Printable.of(leaf.getSubjectX500Principal().getName()));
      out.println("  issuer        " + Printable.of(leaf.getIssuerX500Principal().getName()));
      out.println("  serial        " + leaf.getSerialNumber().toString(16));
      out.println(
          "  valid until   "
              + notAfter
              + " ("
              + (now.isAfter(notAfter)
                  ? "EXPIRED " + human(Duration.between(notAfter, now)) + " ago"
                  : "in " + human(Duration.between(now, notAfter)))
              + ")");
      out.println("  file          " + certs.path(id));
    } else {
      out.println("  certificate   none yet");
    }
    if (c.has("renewal_time")) {
      out.println("  renewal time  " + at(Printable.of(c.text("renewal_time", "")), now));
    }
    if (c.has("next_attempt")) {
      out.println("  next attempt  " + at(Printable.of(c.text("next_attempt", "")), now));
    } else if ("suspended".equals(c.text("last_outcome", ""))) {
      out.println("  next attempt  none: suspended until `estuary agent renew " + id + " --now`");
    } else if (!c.has("not_after") && !c.has("next_attempt")) {
      out.println("  renewal       not managed by the agent (preloaded)");
    }
    if (c.has("last_outcome")) {
      out.println(
          "  last attempt  "
              + Printable.of(c.text("last_outcome", ""))
              + " at "
              + Printable.of(c.text("last_attempt", "?")));
    }
    if (c.has("last_error")) {
      out.println(
          "  last error    "
              + Printable.of(c.text("last_error", ""))
              + " ("
              + c.number("consecutive_failures", 0)
              + " failure(s) in a row)");
    }
  }

  private static String at(String instant, Instant now) {
    try {
      Instant t = Instant.parse(instant);
      return instant
          + (t.isAfter(now) ? " (in " + human(Duration.between(now, t)) + ")" : " (due)");
    } catch (RuntimeException e) {
      return instant;
    }
  }

  private static String human(Duration d) {
    return AgentCheck.human(d);
  }
}
