package dev.estuary.server.console;

import dev.estuary.server.app.NotPermitted;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.http.pathmap.MatchedResource;
import org.eclipse.jetty.http.pathmap.PathMappings;
import org.eclipse.jetty.http.pathmap.UriTemplatePathSpec;
import org.eclipse.jetty.util.URIUtil;

/** The console's pages: Jetty URI templates per method, each to the page that serves it. */
final class ConsoleRoutes {
  /** One page or action. */
  @FunctionalInterface
  interface PageHandler {
    Reply serve(Call call) throws NotPermitted, ConsoleRefusal;
  }

  /** What matched. */
  record Match(PageHandler handler, Map<String, String> params) {}

  private final PathMappings<Map<String, PageHandler>> table = new PathMappings<>();

  ConsoleRoutes get(String template, PageHandler h) {
    return add("GET", template, h);
  }

  ConsoleRoutes post(String template, PageHandler h) {
    return add("POST", template, h);
  }

  private ConsoleRoutes add(String method, String template, PageHandler h) {
    UriTemplatePathSpec spec = new UriTemplatePathSpec(template);
    Map<String, PageHandler> methods = table.get(spec);
    if (methods == null) {
      methods = new LinkedHashMap<>();
      table.put(spec, methods);
    }
    if (methods.putIfAbsent(method, h) != null) {
      throw new IllegalStateException("two pages for " + method + " " + template);
    }
    return this;
  }

  /** The page for {@code method path}; empty when none (404), or wrong method (405). */
  Optional<Match> match(String method, String path) throws ConsoleRefusal {
    MatchedResource<Map<String, PageHandler>> m = table.getMatched(path);
    if (m == null) {
      return Optional.empty();
    }
    PageHandler h = m.getResource().get(method);
    if (h == null) {
      throw new ConsoleRefusal(405, "This page is not used with " + method + ".");
    }
    Map<String, String> raw = ((UriTemplatePathSpec) m.getPathSpec()).getPathParams(path);
    Map<String, String> params = new LinkedHashMap<>();
    if (raw != null) {
      raw.forEach((k, v) -> params.put(k, URIUtil.decodePath(v)));
    }
    return Optional.of(new Match(h, params));
  }
}
