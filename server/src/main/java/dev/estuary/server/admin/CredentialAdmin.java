package dev.estuary.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.estuary.server.app.CredentialService;
import dev.estuary.server.app.NotPermitted;
import dev.estuary.server.app.Permission;
import dev.estuary.server.http.Refusal;
import dev.estuary.server.store.BasicUser;
import dev.estuary.server.store.BootstrapSecret;
import java.time.Clock;
import java.time.Instant;
import java.util.Set;

/**
 * The credential lifecycle part of the admin API: bootstrap secrets and Basic users listed (without
 * their hashes), disabled and deleted, through {@link CredentialService}. Creation stays in {@link
 * AdminHandler}. A disabled or deleted credential is refused on the next request: the gates read
 * the stored record on every request, and their verified-credential cache only remembers hash
 * checks (see {@code VerifiedCredentialCache}).
 */
final class CredentialAdmin {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final CredentialService service;
  private final Set<String> labels;
  private final Clock clock;

  CredentialAdmin(CredentialService service, Set<String> labels, Clock clock) {
    this.service = service;
    this.labels = Set.copyOf(labels);
    this.clock = clock;
  }

  /** Adds this part's operations to the route table. */
  void addTo(Routes routes) {
    routes
        .add("GET", "/api/v1/secrets", Permission.LIST_BOOTSTRAP_SECRETS, this::listSecrets)
        .add(
            "POST",
            "/api/v1/secrets/{id}/disable",
            Permission.DISABLE_BOOTSTRAP_SECRETS,
            this::disableSecret)
        .add("GET", "/api/v1/secrets/{id}", Permission.READ_BOOTSTRAP_SECRETS, this::secret)
        .add(
            "DELETE",
            "/api/v1/secrets/{id}",
            Permission.DELETE_BOOTSTRAP_SECRETS,
            this::deleteSecret)
        .add("GET", "/api/v1/basic-users", Permission.LIST_BASIC_USERS, this::listUsers)
        .add(
            "POST",
            "/api/v1/basic-users/{name}/disable",
            Permission.DISABLE_BASIC_USERS,
            this::disableUser)
        .add("GET", "/api/v1/basic-users/{name}", Permission.READ_BASIC_USERS, this::user)
        .add(
            "DELETE",
            "/api/v1/basic-users/{name}",
            Permission.DELETE_BASIC_USERS,
            this::deleteUser);
  }

  private JsonNode listSecrets(Routes.Call c) throws Refusal, NotPermitted {
    String label = c.query() == null ? null : AdminHandler.queryParam(c.query(), "label");
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
    for (BootstrapSecret s : service.listSecrets(c.actor(), label)) {
      list.add(secret(s, now));
    }
    return list;
  }

  private JsonNode disableSecret(Routes.Call c) throws Refusal, NotPermitted {
    String id = c.param("id");
    if (!service.disableSecret(c.actor(), id)) {
      throw noSecret(id);
    }
    return secret(
        service.findSecret(c.actor(), id).orElseThrow(() -> noSecret(id)), clock.instant());
  }

  private JsonNode secret(Routes.Call c) throws Refusal, NotPermitted {
    String id = c.param("id");
    return secret(
        service.findSecret(c.actor(), id).orElseThrow(() -> noSecret(id)), clock.instant());
  }

  private JsonNode deleteSecret(Routes.Call c) throws Refusal, NotPermitted {
    String id = c.param("id");
    if (!service.deleteSecret(c.actor(), id)) {
      throw noSecret(id);
    }
    return JSON.createObjectNode().put("id", id).put("deleted", true);
  }

  private JsonNode listUsers(Routes.Call c) throws NotPermitted {
    ArrayNode list = JSON.createArrayNode();
    for (BasicUser u : service.listBasicUsers(c.actor())) {
      list.add(user(u));
    }
    return list;
  }

  private JsonNode disableUser(Routes.Call c) throws Refusal, NotPermitted {
    String name = c.param("name");
    if (!service.disableBasicUser(c.actor(), name)) {
      throw noUser(name);
    }
    return user(service.findBasicUser(c.actor(), name).orElseThrow(() -> noUser(name)));
  }

  private JsonNode user(Routes.Call c) throws Refusal, NotPermitted {
    String name = c.param("name");
    return user(service.findBasicUser(c.actor(), name).orElseThrow(() -> noUser(name)));
  }

  private JsonNode deleteUser(Routes.Call c) throws Refusal, NotPermitted {
    String name = c.param("name");
    if (!service.deleteBasicUser(c.actor(), name)) {
      throw noUser(name);
    }
    return JSON.createObjectNode().put("username", name).put("deleted", true);
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
