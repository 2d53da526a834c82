package dev.estuary.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code register} scenario for one client: its devices, each with its own certificate (CN =
 * registration id) and its own link to the provisioning endpoint. One operation is one DPS
 * registration of the client's next device: {@code PUT …/register}, then one immediate {@code GET
 * …/operations/{id}}. The Retry-After the server asks for before the poll is not waited (a DPS
 * client waits it, the Azure SDKs at least 2 s: that is the device's time, not the server's); a
 * poll that still says {@code assigning} is counted and polled again as the server asks, untimed,
 * until assigned.
 */
final class Registrant {
  static final String API_VERSION = "2021-10-01";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** How long a registration is followed while its operation says assigning. */
  private static final long FOLLOW_UP_NANOS = 30_000_000_000L;

  /** A device: its registration id, its link (its certificate), and its registration body. */
  record Device(String registrationId, Link link, byte[] body) {
    Device(String registrationId, Link link) {
      this(
          registrationId,
          link,
          ("{\"registrationId\":\"" + registrationId + "\"}").getBytes(StandardCharsets.UTF_8));
    }
  }

  private final String registrations;
  private final List<Device> devices = new ArrayList<>();
  private int next;

  /** Measured PUT and poll latencies, nanoseconds. */
  final LatencyStats put = new LatencyStats();

  final LatencyStats poll = new LatencyStats();

  /** Measured registrations whose immediate poll said assigning. */
  long assigningPolls;

  /**
   * @param registrations the path up to the registration id: {@code /{idScope}/registrations/}
   */
  Registrant(String registrations) {
    this.registrations = registrations;
  }

  void add(Device device) {
    devices.add(device);
  }

  BenchCommand.Outcome register(boolean measuring) throws Exception {
    Device d = devices.get(next);
    next = (next + 1) % devices.size();
    String base = registrations + d.registrationId();
    long t0 = System.nanoTime();
    HttpsConnection.Response accepted =
        d.link()
            .once(
                c ->
                    c.put(
                        base + "/register?api-version=" + API_VERSION,
                        "application/json",
                        d.body()));
    long t1 = System.nanoTime();
    if (accepted.status() != 202 && accepted.status() != 200) {
      return refused("register", accepted);
    }
    JsonNode a = JSON.readTree(accepted.body());
    if (measuring) {
      put.add(t1 - t0);
    }
    if ("assigned".equals(a.path("status").asText())) {
      return BenchCommand.Outcome.OK; // a server that assigns in the PUT's answer: nothing to poll
    }
    String operationId = a.path("operationId").asText("");
    if (operationId.isEmpty()) {
      return new BenchCommand.Outcome(
          "register: HTTP " + accepted.status() + " without operationId", 0);
    }
    String operation = base + "/operations/" + operationId + "?api-version=" + API_VERSION;
    HttpsConnection.Response answer = d.link().once(c -> c.get(operation));
    long t2 = System.nanoTime();
    if (measuring) {
      poll.add(t2 - t1);
    }
    for (int polls = 1; ; polls++) {
      if (answer.status() != 200 && answer.status() != 202) {
        return refused("poll", answer);
      }
      JsonNode state = JSON.readTree(answer.body());
      switch (state.path("status").asText()) {
        case "assigned" -> {
          return new BenchCommand.Outcome(null, System.nanoTime() - t2);
        }
        case "assigning" -> {
          if (polls == 1 && measuring) {
            assigningPolls++;
          }
          if (System.nanoTime() - t2 > FOLLOW_UP_NANOS) {
            return new BenchCommand.Outcome(
                "poll: still assigning after 30 s", System.nanoTime() - t2);
          }
          Thread.sleep(Math.clamp(answer.retryAfter(), 1, 10) * 1000L);
          answer = d.link().once(c -> c.get(operation));
        }
        default -> {
          JsonNode code = state.path("registrationState").path("errorCode");
          return new BenchCommand.Outcome(
              "poll: "
                  + state.path("status").asText("no status")
                  + (code.isMissingNode() ? "" : " " + code.asText()),
              System.nanoTime() - t2);
        }
      }
    }
  }

  /** A refusal's kind: the step, the HTTP status and the DPS errorCode when the body has one. */
  private static BenchCommand.Outcome refused(String step, HttpsConnection.Response r) {
    String code = "";
    try {
      JsonNode e = JSON.readTree(r.body());
      if (e != null && e.hasNonNull("errorCode")) {
        code = " " + e.get("errorCode").asText();
      }
    } catch (IOException e) {
      // not JSON: the status alone
    }
    return new BenchCommand.Outcome(step + ": HTTP " + r.status() + code, 0);
  }

  void close() {
    devices.forEach(d -> d.link().close());
  }
}
