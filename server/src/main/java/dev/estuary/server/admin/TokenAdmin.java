package dev.estuary.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.estuary.server.app.NotPermitted;
import dev.estuary.server.app.Permission;
import dev.estuary.server.app.TokenService;
import dev.estuary.server.auth.Role;
import dev.estuary.server.http.Refusal;
import dev.estuary.server.store.AdminTokenRecord;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;

/**
 * Admin API tokens on the wire ({@code /api/v1/tokens}): created (the token text in that answer
 * only), listed and read (never the secret or its hash), revoked. Documented in {@code
 * openapi.yaml}.
 */
final class TokenAdmin {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final TokenService service;
  private final Clock clock;

  TokenAdmin(TokenService service, Clock clock) {
    this.service = service;
    this.clock = clock;
  }

  void addTo(Routes routes) {
    routes
        .add("POST", "/api/v1/tokens", Permission.CREATE_ADMIN_API_TOKENS, this::create)
        .add("GET", "/api/v1/tokens", Permission.LIST_ADMIN_API_TOKENS, this::list)
        .add("GET", "/api/v1/tokens/{id}", Permission.READ_ADMIN_API_TOKENS, this::read)
        .add(
            "POST", "/api/v1/tokens/{id}/revoke", Permission.REVOKE_ADMIN_API_TOKENS, this::revoke);
  }

  private JsonNode create(Routes.Call c) throws Refusal, IOException, NotPermitted {
    JsonNode b = c.body();
    String roleText = b.path("role").asText("");
    Role role =
        Role.parse(roleText)
            .orElseThrow(
                () -> Refusal.badRequest("'role' must be one of: admin, operator, auditor"));
    String name = b.path("name").asText("");
    if (!name.matches("[\\p{L}\\p{N} ._@:/-]{0,128}")) {
      throw Refusal.badRequest(
          "'name' must be at most 128 letters, digits, spaces, '.', '_', '@', ':', '/' or '-'");
    }
    Instant expires = AdminHandler.expiry(b, "token", clock);
    TokenService.Minted m = service.create(c.actor(), role, name, expires);
    return render(m.stored(), clock.instant()).put("token", m.value());
  }

  private JsonNode list(Routes.Call c) throws NotPermitted {
    ArrayNode list = JSON.createArrayNode();
    Instant now = clock.instant();
    for (AdminTokenRecord t : service.list(c.actor())) {
      list.add(render(t, now));
    }
    return list;
  }

  private JsonNode read(Routes.Call c) throws Refusal, NotPermitted {
    String id = c.param("id");
    return render(service.find(c.actor(), id).orElseThrow(() -> noToken(id)), clock.instant());
  }

  private JsonNode revoke(Routes.Call c) throws Refusal, NotPermitted {
    String id = c.param("id");
    return render(service.revoke(c.actor(), id).orElseThrow(() -> noToken(id)), clock.instant());
  }

  private static Refusal noToken(String id) {
    return new Refusal(404, "no admin token with id '" + id + "'");
  }

  /** A token as listed: never its text or hash. */
  private static ObjectNode render(AdminTokenRecord t, Instant now) {
    ObjectNode n = JSON.createObjectNode();
    n.put("id", t.id());
    n.put("name", t.name());
    n.put("role", t.role());
    n.put("createdAt", t.createdAt().toString());
    n.put("createdBy", t.createdBy());
    n.put("expiresAt", t.expiresAt() == null ? null : t.expiresAt().toString());
    n.put("revokedAt", t.revokedAt() == null ? null : t.revokedAt().toString());
    n.put("state", TokenService.state(t, now));
    return n;
  }
}
