package dev.estuary.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.estuary.server.http.Refusal;
import dev.estuary.server.store.BasicUser;
import dev.estuary.server.store.BootstrapSecret;
import dev.estuary.server.store.CredentialStore;
import java.time.Clock;
import java.time.Instant;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The credential lifecycle part of the admin API: bootstrap secrets and Basic users listed (without
 * their hashes), disabled and deleted. Creation stays in {@link AdminHandler}. A disabled or
 * deleted credential is refused on the next request: the gates read the stored record on every
 * request, and their verified-credential cache only remembers hash checks (see {@code
 * VerifiedCredentialCache}).
 */
final class CredentialAdmin {
  private static final Logger LOG = LoggerFactory.getLogger(CredentialAdmin.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final CredentialStore store;
  private final Set<String> labels;
  private final Clock clock;

  CredentialAdmin(CredentialStore store, Set<String> labels, Clock clock) {
    this.store = store;
    this.labels = Set.copyOf(labels);
    this.clock = clock;
  }

  /**
   * Serves {@code method path} (path below {@code /api/v1}) when it is one of this part's
   * operations; null when it is not.
   *
   * @param actor who asks, named in the audit records of the changes
   */
  JsonNode route(String method, String path, String query, String actor) throws Refusal {
    if (path.equals("/secrets") && method.equals("GET")) {
      String label = query == null ? null : AdminHandler.queryParam(query, "label");
      if (label != null && !labels.contains(label)) {
        throw Refusal.badRequest(
            "no label '"
                + label
                + "' (labels: "
                + String.join(", ", labels.stream().sorted().toList())
                + ")");
      }
      ArrayNode list = JSON.createArrayNode();
      Instant now = clock.instant();
      for (BootstrapSecret s : store.listSecrets(label)) {
        list.add(secret(s, now));
      }
      return list;
    }
    if (path.startsWith("/secrets/")) {
      String rest = path.substring("/secrets/".length());
      if (method.equals("POST") && rest.endsWith("/disable")) {
        String id = rest.substring(0, rest.length() - "/disable".length());
        if (!store.disableSecret(id, actor)) {
          throw noSecret(id);
        }
        LOG.info("disabled bootstrap secret id={}", id);
        return secret(store.findSecret(id).orElseThrow(() -> noSecret(id)), clock.instant());
      }
      if (method.equals("GET")) {
        return secret(store.findSecret(rest).orElseThrow(() -> noSecret(rest)), clock.instant());
      }
      if (method.equals("DELETE")) {
        if (!store.deleteSecret(rest, actor)) {
          throw noSecret(rest);
        }
        LOG.info("deleted bootstrap secret id={}", rest);
        return JSON.createObjectNode().put("id", rest).put("deleted", true);
      }
    }
    if (path.equals("/basic-users") && method.equals("GET")) {
      ArrayNode list = JSON.createArrayNode();
      for (BasicUser u : store.listBasicUsers()) {
        list.add(user(u));
      }
      return list;
    }
    if (path.startsWith("/basic-users/")) {
      String rest = path.substring("/basic-users/".length());
      if (method.equals("POST") && rest.endsWith("/disable")) {
        String name = rest.substring(0, rest.length() - "/disable".length());
        if (!store.disableBasicUser(name, actor)) {
          throw noUser(name);
        }
        LOG.info("disabled Basic user {}", name);
        return user(store.findBasicUser(name).orElseThrow(() -> noUser(name)));
      }
      if (method.equals("GET")) {
        return user(store.findBasicUser(rest).orElseThrow(() -> noUser(rest)));
      }
      if (method.equals("DELETE")) {
        if (!store.deleteBasicUser(rest, actor)) {
          throw noUser(rest);
        }
        LOG.info("deleted Basic user {}", rest);
        return JSON.createObjectNode().put("username", rest).put("deleted", true);
      }
    }
    return null;
  }

  private static Refusal noSecret(String id) {
    return new Refusal(404, "no bootstrap secret with id '" + id + "'");
  }

  private static Refusal noUser(String username) {
    return new Refusal(404, "no Basic user '" + username + "'");
  }

  /** A secret as listed: everything but its hash, and whether it would open its label now. */
  private static ObjectNode secret(BootstrapSecret s, Instant now) {
    ObjectNode n = JSON.createObjectNode();
    n.put("id", s.id());
    n.put("label", s.label());
    n.put("createdAt", s.createdAt().toString());
    n.put("expiresAt", s.expiresAt() == null ? null : s.expiresAt().toString());
    if (s.usesRemaining() == null) {
      n.putNull("usesRemaining");
    } else {
      n.put("usesRemaining", s.usesRemaining());
    }
    n.put("disabled", s.disabled());
    n.put("state", state(s, now));
    return n;
  }

  /** {@code active}, {@code disabled}, {@code expired} or {@code used-up}. */
  static String state(BootstrapSecret s, Instant now) {
    if (s.disabled()) {
      return "disabled";
    }
    if (s.expiresAt() != null && !now.isBefore(s.expiresAt())) {
      return "expired";
    }
    if (s.usesRemaining() != null && s.usesRemaining() <= 0) {
      return "used-up";
    }
    return "active";
  }

  private static ObjectNode user(BasicUser u) {
    return JSON.createObjectNode()
        .put("username", u.username())
        .put("label", u.label())
        .put("disabled", u.disabled());
  }
}
