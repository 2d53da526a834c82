package dev.estuary.sim;

import dev.estuary.pki.Thumbprints;
import java.io.IOException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.MDC;

/**
 * The simulator's book on one device: its agent, its clock, the certificates it holds (read from
 * its disk after every step: only a step changes them), and how long it went without a valid one.
 */
final class SimDevice {
  /** One credential's certificate in force. */
  record Held(X509Certificate leaf, List<X509Certificate> chain, String sha256) {}

  final String id;
  final Path dir;
  final SimClock clock = new SimClock();
  private SimAgent agent;
  private final Map<String, Held> held = new HashMap<>();

  /** The certificate files as they were when last read ({@link SimAgent#fileVersion}). */
  private final Map<String, Optional<List<Object>>> read = new HashMap<>();

  private final Set<String> revokedOnPurpose = new HashSet<>();
  private Instant invalidSince;
  private Duration invalidTotal = Duration.ZERO;
  private Instant firstInvalidAt;
  private String lastRegisteredAt = "";
  private String reason = "";

  SimDevice(String id, Path dir) {
    this.id = id;
    this.dir = dir;
  }

  synchronized SimAgent agent() throws IOException {
    if (agent == null) {
      agent = SimAgent.open(dir.resolve("config.toml"), dir.resolve("state"), clock);
    }
    return agent;
  }

  /** What a step did (its attempts, in order) and when the device wants its next one. */
  record Stepped(Instant next, List<SimAgent.Attempt> attempts) {
    /** The attempts in a few words: "device-id done, registration failed: …". */
    String summary() {
      return attempts.stream()
          .map(
              a ->
                  a.credential()
                      + (a.renewed() ? " done" : " failed: " + a.failureKind() + " " + a.reason()))
          .collect(Collectors.joining(", "));
    }
  }

  /** One step of the device's agent, then what it holds. */
  Stepped step(Stats stats, Trust trust) throws IOException {
    try (MDC.MDCCloseable device = MDC.putCloseable("device", id)) {
      return stepAs(stats, trust);
    }
  }

  private Stepped stepAs(Stats stats, Trust trust) throws IOException {
    SimAgent a = agent();
    List<SimAgent.Attempt> attempts = a.step();
    Instant now = Instant.now();
    for (SimAgent.Attempt at : attempts) {
      if (!at.credential().equals(SimAgent.REGISTRATION)) {
        stats.attempt(at, now);
      }
    }
    observe(a, stats);
    a.registration()
        .filter(SimAgent.Registration::assigned)
        .ifPresent(
            r -> {
              synchronized (this) {
                if (!r.registeredAt().equals(lastRegisteredAt)) {
                  lastRegisteredAt = r.registeredAt();
                  stats.registrations.increment();
                }
              }
            });
    sample(Instant.now(), trust, stats);
    return new Stepped(a.nextWakeUp(), attempts);
  }

  /**
   * Reads the device's certificate files and books what changed. Under the device's lock, reads
   * included: the step's thread and the sampler may both observe, and the later read must be the
   * one booked last.
   */
  private synchronized void observe(SimAgent a, Stats stats) throws IOException {
    read.putAll(versions(a)); // before reading: a file replaced meanwhile is read again next time
    for (Map.Entry<String, List<X509Certificate>> e : a.certificates().entrySet()) {
      X509Certificate leaf = e.getValue().getFirst();
      Held before = held.get(e.getKey());
      if (before == null || !before.leaf().equals(leaf)) {
        String sha = Thumbprints.sha256(leaf);
        held.put(e.getKey(), new Held(leaf, e.getValue(), sha));
        stats.receivedCertificate(leaf, sha, id, e.getKey());
        if (before != null && !revokedOnPurpose.contains(before.sha256())) {
          stats.replaced(
              id, e.getKey(), before.leaf().getNotAfter().toInstant(), a.writtenAt(e.getKey()));
        }
      }
    }
  }

  /**
   * Whether the device holds a valid certificate for every credential it has obtained so far, at
   * real time {@code now}, and the book of time without one. A certificate the scenario revoked is
   * excused until it is replaced. What looks invalid is read again from the device's disk first, if
   * a certificate file was replaced since it was last read: a step still under way (its
   * registration's polls) may have written the renewed certificate already, and the device holds it
   * from that moment, not from the step's end. (Only then: with thousands of devices without a
   * certificate, reading and parsing all their files at every sample would take the CPU the agents
   * need to catch up.)
   */
  synchronized boolean sample(Instant now, Trust trust, Stats stats) {
    String why = invalidity(now, trust);
    if (why != null && agent != null && !versions(agent).equals(read)) {
      try {
        observe(agent, stats);
        why = invalidity(now, trust);
      } catch (IOException e) {
        // a file being replaced: judged on what was read before
      }
    }
    if (why != null && invalidSince == null) {
      invalidSince = now;
      if (firstInvalidAt == null) {
        firstInvalidAt = now;
      }
      reason = why;
    } else if (why == null && invalidSince != null) {
      invalidTotal = invalidTotal.plus(Duration.between(invalidSince, now));
      invalidSince = null;
    }
    return why == null;
  }

  private static Map<String, Optional<List<Object>>> versions(SimAgent a) {
    Map<String, Optional<List<Object>>> out = new HashMap<>();
    for (String id : SimAgent.RENEWED) {
      out.put(id, a.fileVersion(id));
    }
    return out;
  }

  /**
   * Why the device holds no valid certificate for some credential at {@code now}; null: it does.
   */
  private String invalidity(Instant now, Trust trust) {
    String why = null;
    for (Map.Entry<String, Held> e : held.entrySet()) {
      Held h = e.getValue();
      if (revokedOnPurpose.contains(h.sha256())) {
        continue;
      }
      Optional<Trust.Window> w = trust.window(h.sha256(), h.chain());
      if (w.isEmpty()) {
        why = e.getKey() + " does not chain to a current root";
      } else if (!w.get().contains(now)) {
        why =
            e.getKey()
                + (now.isBefore(w.get().from()) ? " not yet valid" : " expired")
                + " (valid "
                + w.get().from()
                + " to "
                + w.get().to()
                + ")";
      }
    }
    return why;
  }

  synchronized boolean enrolled() {
    return held.keySet().containsAll(SimAgent.RENEWED);
  }

  synchronized boolean everInvalid() {
    return firstInvalidAt != null;
  }

  synchronized String firstInvalidReason() {
    return reason;
  }

  /** When (real time) the device first went without a valid certificate; null: never. */
  synchronized Instant firstInvalidAt() {
    return firstInvalidAt;
  }

  /** Real time without a valid certificate, up to {@code now}. */
  synchronized Duration invalidTotal(Instant now) {
    return invalidSince == null
        ? invalidTotal
        : invalidTotal.plus(Duration.between(invalidSince, now));
  }

  /** The certificates in force now, to revoke: they are excused from then on. */
  synchronized List<Held> revokeCurrent() {
    List<Held> out = List.copyOf(held.values());
    out.forEach(h -> revokedOnPurpose.add(h.sha256()));
    return out;
  }

  synchronized boolean revoked() {
    return !revokedOnPurpose.isEmpty();
  }

  /** The registration as the device's state says, if any. */
  synchronized Optional<SimAgent.Registration> registration() {
    return agent == null ? Optional.empty() : agent.registration();
  }

  /** Whether it is assigned with the device identity it holds now. */
  synchronized boolean assignedWithCurrent() {
    Held id = held.get(SimAgent.RENEWED.getFirst());
    return id != null
        && registration()
            .filter(SimAgent.Registration::assigned)
            .filter(r -> r.certificateSha256().equalsIgnoreCase(id.sha256()))
            .isPresent();
  }

  synchronized int trustedRoots() {
    return agent == null ? 0 : agent.trustedRoots().size();
  }

  synchronized void close() {
    if (agent != null) {
      agent.close();
    }
  }
}
