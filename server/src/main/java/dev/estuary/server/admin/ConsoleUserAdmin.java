package dev.estuary.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.estuary.server.app.ConsoleUserService;
import dev.estuary.server.app.NotPermitted;
import dev.estuary.server.app.Permission;
import dev.estuary.server.auth.Role;
import dev.estuary.server.http.Refusal;
import dev.estuary.server.store.ConsoleUser;
import java.io.IOException;

/**
 * The web console's users on the wire ({@code /api/v1/console-users}): created (a generated
 * password in that answer only; a given one never echoed), listed (never a hash), disabled. What
 * {@code estuary server console-user} calls.
 */
final class ConsoleUserAdmin {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ConsoleUserService service;

  ConsoleUserAdmin(ConsoleUserService service) {
    this.service = service;
  }

  void addTo(Routes routes) {
    routes
        .add("POST", "/api/v1/console-users", Permission.CREATE_CONSOLE_USERS, this::create)
        .add("GET", "/api/v1/console-users", Permission.LIST_CONSOLE_USERS, this::list)
        .add(
            "POST",
            "/api/v1/console-users/{name}/disable",
            Permission.DISABLE_CONSOLE_USERS,
            this::disable);
  }

  private JsonNode create(Routes.Call c) throws Refusal, IOException, NotPermitted {
    JsonNode b = c.body();
    Role role =
        Role.parse(b.path("role").asText(""))
            .orElseThrow(
                () -> Refusal.badRequest("'role' must be one of: admin, operator, auditor"));
    String password = b.hasNonNull("password") ? b.get("password").asText() : null;
    ConsoleUserService.Created made;
    try {
      made = service.create(c.actor(), b.path("username").asText(""), role, password);
    } catch (IllegalArgumentException e) {
      throw new Refusal(e.getMessage().contains("exists") ? 409 : 400, e.getMessage());
    }
    ObjectNode out = render(made.user());
    if (made.generated()) {
      out.put("password", made.password());
    }
    return out;
  }

  private JsonNode list(Routes.Call c) throws NotPermitted {
    ArrayNode list = JSON.createArrayNode();
    for (ConsoleUser u : service.list(c.actor())) {
      list.add(render(u));
    }
    return list;
  }

  private JsonNode disable(Routes.Call c) throws Refusal, NotPermitted {
    String name = c.param("name");
    if (!service.disable(c.actor(), name)) {
      throw new Refusal(404, "no console user named '" + name + "'");
    }
    return JSON.createObjectNode().put("username", name).put("disabled", true);
  }

  private static ObjectNode render(ConsoleUser u) {
    return JSON.createObjectNode()
        .put("username", u.username())
        .put("role", u.role())
        .put("createdAt", u.createdAt().toString())
        .put("createdBy", u.createdBy())
        .put("disabledAt", u.disabledAt() == null ? null : u.disabledAt().toString());
  }
}
