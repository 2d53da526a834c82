package dev.estuary.cli.agent;

import dev.estuary.agent.check.AgentCheck;
import dev.estuary.agent.state.AgentState;
import dev.estuary.agent.state.CredentialSchedule;
import dev.estuary.agent.state.ProvisioningState;
import dev.estuary.agent.state.StateFile;
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
    Optional<AgentState> state = StateFile.read(stateDir);
    if (state.isEmpty()) {
      out.println(
          "no agent state in "
              + stateDir
              + " (has `estuary agent run` run with this state directory?)");
      return;
    }
    CertificateFiles certs = new CertificateFiles(stateDir.resolve("certs"));
    for (String id : state.get().credentialIds()) {
      credential(out, id, state.get().schedule(id), certs, now);
    }
    if (state.get().provisioning().isPresent()) {
      ProvisioningState p = state.get().provisioning().get();
      out.println("provisioning");
      if (p.assignedHub().isPresent()) {
        out.println(
            "  assigned      hub "
                + Printable.of(p.assignedHub().get())
                + " as device "
                + Printable.of(p.deviceId().orElse(""))
                + " ("
                + Printable.of(p.substatus().orElse(""))
                + ")");
        out.println(
            "  registered    "
                + p.registeredAt().map(Object::toString).orElse("")
                + " with certificate "
                + Printable.of(p.certificateSha256().orElse("")));
      } else {
        out.println("  assigned      not yet");
      }
      if (p.lastError().isPresent()) {
        out.println(
            "  last error    "
                + Printable.of(p.lastError().get())
                + " ("
                + p.consecutiveFailures()
                + " failure(s) in a row)");
        out.println(
            "  next attempt  "
                + state.get().registrationDue().map(t -> at(t, now)).orElse("none scheduled"));
      }
    }
    out.println("state updated " + state.get().updatedAt().map(Object::toString).orElse("?"));
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
      PrintStream out,
      String id,
      Optional<CredentialSchedule> schedule,
      CertificateFiles certs,
      Instant now)
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
    CredentialSchedule c = schedule.orElse(null);
    if (c == null) {
      out.println("  renewal       not managed by the agent (preloaded)");
      return;
    }
    if (c.renewalTime().isPresent()) {
      out.println("  renewal time  " + at(c.renewalTime().get(), now));
    }
    if (c.nextAttempt().isPresent()) {
      out.println("  next attempt  " + at(c.nextAttempt().get(), now));
    } else if (c.suspended()) {
      out.println("  next attempt  none: suspended until `estuary agent renew " + id + " --now`");
    } else if (c.notAfter().isEmpty()) {
      out.println("  renewal       not managed by the agent (preloaded)");
    }
    if (c.lastOutcome().isPresent()) {
      out.println(
          "  last attempt  "
              + Printable.of(c.lastOutcome().get())
              + " at "
              + c.lastAttempt().map(Object::toString).orElse("?"));
    }
    if (c.lastError().isPresent()) {
      out.println(
          "  last error    "
              + Printable.of(c.lastError().get())
              + " ("
              + c.consecutiveFailures()
              + " failure(s) in a row)");
    }
  }

  private static String at(Instant t, Instant now) {
    return t + (t.isAfter(now) ? " (in " + human(Duration.between(now, t)) + ")" : " (due)");
  }

  private static String human(Duration d) {
    return AgentCheck.human(d);
  }
}
