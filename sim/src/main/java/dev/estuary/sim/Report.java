package dev.estuary.sim;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a run showed, in simulated time (real durations multiplied by the speed): the table on
 * standard output, or the JSON of {@code --json}. The promise holds when no device was ever without
 * a valid certificate (the scenario's revocations aside), no certificate a device received is
 * missing from the database, no serial was given twice, and every device is enrolled and assigned
 * with its current certificate at the end.
 */
record Report(Map<String, Object> fields) {
  record EventRecord(long atSimulatedSeconds, String event, String outcome, long realMillis) {}

  /**
   * One device that went without a valid certificate: for how long in all, from when (simulated
   * seconds since the start) the first time, and why then.
   */
  record Lapse(
      String device, double simulatedSeconds, long firstAtSimulatedSeconds, String firstReason) {}

  static Report of(
      Simulation.Options o,
      Stats stats,
      List<SimDevice> devices,
      Instant finished,
      Duration setup,
      Duration ran,
      List<Stats.Received> lost,
      List<String> duplicates,
      List<String> notAssigned,
      List<String> neverEnrolled,
      Set<Integer> rootCounts,
      List<EventRecord> events,
      FaultProxy proxy) {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("mode", o.url() != null ? "url " + o.url() : o.replicas() + " replicas on PostgreSQL");
    f.put("devices", devices.size());
    f.put("speed", o.speed().factor());
    f.put("lifetime_simulated_seconds", o.lifetime().toSeconds());
    f.put("lifetime_real_seconds", o.speed().real(o.lifetime()).toMillis() / 1000.0);
    f.put("threshold", o.threshold());
    f.put("retry", o.retry());
    f.put("duration_simulated_seconds", o.duration().toSeconds());
    f.put("ran_real_seconds", ran.toMillis() / 1000.0);
    f.put("setup_real_seconds", setup.toMillis() / 1000.0);
    List<Lapse> lapses = new ArrayList<>();
    for (SimDevice d : devices) {
      if (d.everInvalid()) {
        lapses.add(
            new Lapse(
                d.id,
                o.speed().simulated(d.invalidTotal(finished)).toMillis() / 1000.0,
                stats.simulatedSince(d.firstInvalidAt()).toSeconds(),
                d.firstInvalidReason()));
      }
    }
    lapses.sort(Comparator.comparingDouble(Lapse::simulatedSeconds).reversed());
    f.put("devices_without_valid_certificate", lapses.size());
    f.put("max_devices_without_valid_certificate_at_once", stats.maxWithoutValid.get());
    f.put(
        "time_without_valid_certificate_simulated_seconds",
        lapses.stream().mapToDouble(Lapse::simulatedSeconds).sum());
    f.put("lapses", lapses.subList(0, Math.min(20, lapses.size())));
    f.put("devices_revoked_on_purpose", devices.stream().filter(SimDevice::revoked).count());
    f.put(
        "devices_with_skewed_clock",
        devices.stream().filter(d -> !d.clock.offset().isZero()).count());
    f.put("devices_never_enrolled", neverEnrolled.size());
    f.put("devices_not_assigned", notAssigned.size());
    f.put("not_assigned", notAssigned.subList(0, Math.min(20, notAssigned.size())));
    f.put("renewals_attempted", stats.attempted.sum());
    f.put("renewals_succeeded", stats.renewed.sum());
    f.put("renewals_retried", stats.failed.sum());
    f.put("registrations", stats.registrations.sum());
    f.put("server_errors", stats.errors());
    f.put("step_real_seconds", stats.stepSeconds());
    f.put("slowest_steps", stats.slowestSteps());
    f.put("closest_call", stats.closestCall());
    f.put("certificates_received", stats.received.size());
    f.put("lost_certificates", lost.size());
    f.put("lost", lost.subList(0, Math.min(20, lost.size())));
    f.put("duplicate_serials", duplicates.size());
    f.put("duplicates", duplicates.subList(0, Math.min(20, duplicates.size())));
    f.put("roots_trusted_by_devices", new TreeSet<>(rootCounts));
    Map<Long, Long> perMinute = new LinkedHashMap<>();
    stats.renewalsPerMinute.forEach((k, v) -> perMinute.put(k, v.sum()));
    f.put("renewals_per_minute", perMinute);
    f.put(
        "renewals_per_minute_max",
        perMinute.values().stream().mapToLong(Long::longValue).max().orElse(0));
    f.put("events", events);
    f.put("proxy_connections", proxy.connections.sum());
    f.put("proxy_faulted_connections", proxy.faulted.sum());
    f.put("proxy_no_backend", proxy.noBackend.sum());
    f.put(
        "promise_held",
        lapses.isEmpty()
            && lost.isEmpty()
            && duplicates.isEmpty()
            && notAssigned.isEmpty()
            && neverEnrolled.isEmpty());
    return new Report(f);
  }

  boolean promiseHeld() {
    return Boolean.TRUE.equals(fields.get("promise_held"));
  }

  String json() throws Exception {
    return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(fields);
  }

  void table(PrintStream out) {
    String[][] rows = {
      {"mode", "mode"},
      {"devices", "devices"},
      {"speed (x real time)", "speed"},
      {"certificate lifetime (simulated s)", "lifetime_simulated_seconds"},
      {"run (simulated s)", "duration_simulated_seconds"},
      {"run (real s)", "ran_real_seconds"},
      {"devices ever without a valid certificate", "devices_without_valid_certificate"},
      {"  most at once", "max_devices_without_valid_certificate_at_once"},
      {
        "  time without (simulated s, all devices)",
        "time_without_valid_certificate_simulated_seconds"
      },
      {"devices revoked on purpose", "devices_revoked_on_purpose"},
      {"devices with a skewed clock", "devices_with_skewed_clock"},
      {"devices never enrolled", "devices_never_enrolled"},
      {"devices not assigned at the end", "devices_not_assigned"},
      {"renewals attempted", "renewals_attempted"},
      {"renewals succeeded", "renewals_succeeded"},
      {"renewals retried (failed attempts)", "renewals_retried"},
      {"registrations", "registrations"},
      {"certificates received", "certificates_received"},
      {"lost certificates (not in the database)", "lost_certificates"},
      {"duplicate serials", "duplicate_serials"},
      {"roots trusted by devices (counts)", "roots_trusted_by_devices"},
      {"renewals per minute, most", "renewals_per_minute_max"},
      {"proxy connections / faulted", "proxy_connections"},
    };
    for (String[] r : rows) {
      Object v = fields.get(r[1]);
      if (r[1].equals("proxy_connections")) {
        v = v + " / " + fields.get("proxy_faulted_connections");
      }
      out.printf("%-44s %s%n", r[0], v);
    }
    out.printf("%-44s %s%n", "server errors by kind", fields.get("server_errors"));
    out.printf("%-44s %s%n", "a device's step, real seconds", fields.get("step_real_seconds"));
    if (fields.get("closest_call") instanceof Stats.ClosestCall c) {
      out.printf(
          "%-44s %.1f (%s, %s)%n",
          "closest call: time left at a renewal (sim s)",
          c.simulatedSecondsLeft(),
          c.device(),
          c.credential());
    }
    @SuppressWarnings("unchecked")
    List<EventRecord> ev = (List<EventRecord>) fields.get("events");
    for (EventRecord e : ev) {
      out.printf(
          "  event at %6d s: %s: %s (%d ms real)%n",
          e.atSimulatedSeconds(), e.event(), e.outcome(), e.realMillis());
    }
    out.println(
        promiseHeld()
            ? "PROMISE HELD: no device without a valid certificate, nothing lost, no duplicate serial"
            : "PROMISE BROKEN: see the figures above (--json for the devices)");
  }
}
