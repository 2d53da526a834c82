package dev.estuary.agent.config;

import dev.estuary.config.Problems;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** Checks the https URLs of a configuration: EST base URLs and the provisioning endpoint. */
final class HttpsUrls {
  private static final Set<String> EST_OPERATIONS =
      Set.of("cacerts", "simpleenroll", "simplereenroll", "csrattrs", "serverkeygen");

  private HttpsUrls() {}

  /**
   * The URL when it is a valid https URL with a host; otherwise reports why at {@code path}. An EST
   * URL outside {@code /.well-known/est}, or ending with an operation, gets a warning.
   */
  static Optional<URI> check(String path, String text, boolean est, Problems problems) {
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      problems.error(
          path,
          quoted(text)
              + " is not a valid URL ("
              + e.getReason()
              + " at index "
              + e.getIndex()
              + ")");
      return Optional.empty();
    }
    if (uri.getScheme() == null || !uri.getScheme().toLowerCase(Locale.ROOT).equals("https")) {
      problems.error(path, quoted(text) + " is not an https URL");
      return Optional.empty();
    }
    if (uri.getRawUserInfo() != null) {
      problems.error(
          path, "the URL carries a user name or password; put them in the auth settings instead");
      return Optional.empty();
    }
    if (uri.getHost() == null) {
      problems.error(path, quoted(text) + " has no valid host name");
      return Optional.empty();
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      problems.error(path, quoted(text) + " must not have a query or fragment");
      return Optional.empty();
    }
    if (est) {
      String p = uri.getPath() == null ? "" : uri.getPath();
      String last = p.replaceAll("/+$", "");
      last = last.substring(last.lastIndexOf('/') + 1);
      if (!p.contains("/.well-known/est")) {
        problems.warning(
            path,
            quoted(text) + " is not under /.well-known/est, where EST servers answer (RFC 7030)");
      } else if (EST_OPERATIONS.contains(last)) {
        problems.warning(
            path,
            quoted(text)
                + " ends with the operation '"
                + last
                + "'; the agent adds operations itself, so stop at the label");
      }
    }
    return Optional.of(uri);
  }

  private static String quoted(String text) {
    return "'" + text + "'";
  }
}
