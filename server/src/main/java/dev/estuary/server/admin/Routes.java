package dev.estuary.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.estuary.server.app.NotPermitted;
import dev.estuary.server.app.Permission;
import dev.estuary.server.auth.Actor;
import dev.estuary.server.http.Refusal;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.pathmap.MatchedResource;
import org.eclipse.jetty.http.pathmap.PathMappings;
import org.eclipse.jetty.http.pathmap.PathSpec;
import org.eclipse.jetty.http.pathmap.RegexPathSpec;
import org.eclipse.jetty.http.pathmap.UriTemplatePathSpec;
import org.eclipse.jetty.server.Request;

/**
 * The admin API's route table: Jetty path specs ({@code /api/v1/secrets/{id}/disable}) mapped to,
 * per method, the operation that translates the wire into a service call and its answer back into
 * JSON. Matched on the request's path as sent (percent-encoding kept).
 */
final class Routes {
  /** One admin operation: reads the request's wire, calls a service, answers JSON. */
  @FunctionalInterface
  interface Operation {
    JsonNode serve(Call call) throws Refusal, IOException, NotPermitted;
  }

  /**
   * A request matched to an operation.
   *
   * @param actor who made it (authenticated)
   * @param params the path spec's parameters (a template's {@code {name}}s, a regex's named groups)
   */
  record Call(Request request, Actor actor, Map<String, String> params) {
    String param(String name) {
      return params.get(name);
    }

    /** The JSON body (an empty object when there is none), bounded. */
    JsonNode body() throws IOException, Refusal {
      return AdminHandler.body(request);
    }

    /** The raw query string, or null. */
    String query() {
      return request.getHttpURI().getQuery();
    }

    String header(HttpHeader h) {
      return request.getHeaders().get(h);
    }
  }

  /** A route's operation and the permission it needs. */
  record Route(Permission permission, Operation operation) {}

  /** What matched: the route and its call's parameters. */
  record Match(Permission permission, Operation operation, Map<String, String> params) {}

  private final PathMappings<Map<String, Route>> table = new PathMappings<>();

  /**
   * Maps {@code method template} (a URI template, e.g. {@code /api/v1/tokens/{id}}) to {@code
   * operation}, which needs {@code permission}.
   */
  Routes add(String method, String template, Permission permission, Operation operation) {
    return add(method, new UriTemplatePathSpec(template), new Route(permission, operation));
  }

  /** Maps {@code method} on a regular expression path spec (named groups become parameters). */
  Routes addRegex(String method, String regex, Permission permission, Operation operation) {
    return add(method, new RegexPathSpec(regex), new Route(permission, operation));
  }

  private Routes add(String method, PathSpec spec, Route operation) {
    Map<String, Route> methods = table.get(spec);
    if (methods == null) {
      methods = new LinkedHashMap<>();
      table.put(spec, methods);
    }
    if (methods.putIfAbsent(method, operation) != null) {
      throw new IllegalStateException("two operations for " + method + " " + spec);
    }
    return this;
  }

  /** The methods {@code path} has operations for (in the order added); empty when none. */
  Set<String> methods(String path) {
    MatchedResource<Map<String, Route>> m = table.getMatched(path);
    return m == null ? Set.of() : new LinkedHashSet<>(m.getResource().keySet());
  }

  /** The operation for {@code method path}, if there is one. */
  Optional<Match> match(String method, String path) {
    MatchedResource<Map<String, Route>> m = table.getMatched(path);
    if (m == null) {
      return Optional.empty();
    }
    Route route = m.getResource().get(method);
    if (route == null) {
      return Optional.empty();
    }
    return Optional.of(
        new Match(route.permission(), route.operation(), params(m.getPathSpec(), path)));
  }

  private static Map<String, String> params(PathSpec spec, String path) {
    if (spec instanceof UriTemplatePathSpec t) {
      return t.getPathParams(path);
    }
    if (spec instanceof RegexPathSpec r) {
      Matcher m = r.getPattern().matcher(path);
      Map<String, String> out = new LinkedHashMap<>();
      if (m.matches()) {
        for (String name : r.getPattern().namedGroups().keySet()) {
          out.put(name, m.group(name));
        }
      }
      return out;
    }
    return Map.of();
  }
}
