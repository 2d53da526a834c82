package dev.estuary.cli.agent;

import com.fasterxml.jackson.databind.JsonNode;
import dev.estuary.agent.check.AgentCheck;
import dev.estuary.agent.daemon.StateFile;
import dev.estuary.agent.store.CertificateFiles;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The agent's state for people: one block per credential, then provisioning. */
final class StatusView {
  private StatusView() {}

  /** Prints what {@code <stateDir>/state.json} and the certificate files say, as of {@code now}. */
  static void print(PrintStream out, Path stateDir, Instant now) throws IOException {
    Optional<JsonNode> state = StateFile.read(stateDir);
    if (state.isEmpty()) {
      out.println("no agent state in " + stateDir + " (has `estuary agent run` run with this state directory?)");
      return;
    }
    CertificateFiles certs = new CertificateFiles(stateDir.resolve("certs"));
    Iterator<Map.Entry<String, JsonNode>> credentials = state.get().path("credentials").properties().iterator();
    while (credentials.hasNext()) {
      Map.Entry<String, JsonNode> e = credentials.next();
      credential(out, e.getKey(), e.getValue(), certs, now);
    }
    JsonNode p = state.get().path("provisioning");
    if (p.isObject()) {
      out.println("provisioning");
      if (p.hasNonNull("assigned_hub")) {
        out.println("  assigned      hub " + p.get("assigned_hub").asText() + " as device " + p.path("device_id").asText()
            + " (" + p.path("substatus").asText() + ")");
        out.println("  registered    " + p.path("registered_at").asText() + " with certificate " + p.path("certificate_sha256").asText());
      } else {
        out.println("  assigned      not yet");
      }
      if (p.hasNonNull("last_error")) {
        out.println("  last error    " + p.get("last_error").asText() + " (" + p.path("consecutive_failures").asInt() + " failure(s) in a row)");
        out.println("  next attempt  " + at(p.path("next_attempt").asText(), now));
      }
    }
    out.println("state updated " + state.get().path("updated_at").asText("?"));
  }

  private static void credential(PrintStream out, String id, JsonNode c, CertificateFiles certs, Instant now) throws IOException {
    out.println(id);
    Optional<List<X509Certificate>> chain;
    try {
      chain = certs.read(id);
    } catch (IOException unreadable) {
      out.println("  certificate   " + unreadable.getMessage());
      chain = Optional.empty();
    }
    if (chain.isPresent()) {
      X509Certificate leaf = chain.get().getFirst();
      Instant notAfter = leaf.getNotAfter().toInstant();
      out.println("  subject       " + leaf.getSubjectX500Principal().getName());
      out.println("  issuer        " + leaf.getIssuerX500Principal().getName());
      out.println("  serial        " + leaf.getSerialNumber().toString(16));
      out.println(
          "  valid until   " + notAfter + " (" + (now.isAfter(notAfter) ? "EXPIRED " + human(Duration.between(notAfter, now)) + " ago" : "in " + human(Duration.between(now, notAfter))) + ")");
      out.println("  file          " + certs.path(id));
    } else {
      out.println("  certificate   none yet");
    }
    if (c.hasNonNull("renewal_time")) {
      out.println("  renewal time  " + at(c.get("renewal_time").asText(), now));
    }
    if (c.hasNonNull("next_attempt")) {
      out.println("  next attempt  " + at(c.get("next_attempt").asText(), now));
    } else if ("suspended".equals(c.path("last_outcome").asText())) {
      out.println("  next attempt  none: suspended until `estuary agent renew " + id + " --now`");
    } else if (!c.has("not_after") && !c.has("next_attempt")) {
      out.println("  renewal       not managed by the agent (preloaded)");
    }
    if (c.hasNonNull("last_outcome")) {
      out.println("  last attempt  " + c.path("last_outcome").asText() + " at " + c.path("last_attempt").asText("?"));
    }
    if (c.hasNonNull("last_error")) {
      out.println("  last error    " + c.get("last_error").asText() + " (" + c.path("consecutive_failures").asInt() + " failure(s) in a row)");
    }
  }

  private static String at(String instant, Instant now) {
    try {
      Instant t = Instant.parse(instant);
      return instant + (t.isAfter(now) ? " (in " + human(Duration.between(now, t)) + ")" : " (due)");
    } catch (RuntimeException e) {
      return instant;
    }
  }

  private static String human(Duration d) {
    return AgentCheck.human(d);
  }
}
