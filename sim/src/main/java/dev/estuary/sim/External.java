package dev.estuary.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.estuary.pki.Pem;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The URL mode: a server already running (a quickstart), described by its quickstart.json (root,
 * bootstrap secret, ID scope, admin URL and token). Only network faults apply: the simulator does
 * not own its processes or its database; the database is checked through the admin API.
 */
final class External implements Servers {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final URI url;
  private final Setup setup;
  private final Admin admin;
  private volatile List<X509Certificate> trust;

  External(URI url, Path quickstartJson) throws IOException {
    this.url = url;
    JsonNode info = JSON.readTree(quickstartJson.toFile());
    for (String k : List.of("root_ca", "factory_secret", "id_scope", "admin_url", "admin_token")) {
      if (!info.hasNonNull(k)) {
        throw new IllegalArgumentException(
            "--info " + quickstartJson + " has no '" + k + "' (a quickstart.json is expected)");
      }
    }
    Path root = Path.of(info.get("root_ca").asText());
    this.setup =
        new Setup(root, info.get("factory_secret").asText(), info.get("id_scope").asText());
    try {
      this.trust = Pem.certificates(Files.readString(root, StandardCharsets.US_ASCII));
    } catch (Exception e) {
      throw new IOException(root + ": " + e.getMessage(), e);
    }
    String adminUrl = info.get("admin_url").asText();
    this.admin = new Admin(() -> List.of(adminUrl), info.get("admin_token").asText(), () -> trust);
  }

  @Override
  public Setup setup() {
    return setup;
  }

  @Override
  public List<InetSocketAddress> backends() {
    int port = url.getPort() < 0 ? 443 : url.getPort();
    return List.of(new InetSocketAddress(url.getHost(), port));
  }

  @Override
  public Admin admin() {
    return admin;
  }

  @Override
  public List<X509Certificate> caCertificates() throws IOException {
    List<X509Certificate> all =
        Admin.cacerts(
            "https://" + url.getHost() + ":" + backends().getFirst().getPort() + "/.well-known/est",
            Cluster.LABELS,
            trust);
    List<X509Certificate> roots = new ArrayList<>(trust);
    for (X509Certificate c : all) {
      if (c.getSubjectX500Principal().equals(c.getIssuerX500Principal()) && !roots.contains(c)) {
        roots.add(c);
      }
    }
    trust = List.copyOf(roots);
    return all;
  }

  @Override
  public Set<String> inDatabase(Collection<Stats.Received> received) throws Exception {
    Set<String> found = new HashSet<>();
    for (Stats.Received r : received) {
      Optional<JsonNode> c = admin.certificate(r.serialHex());
      if (c.isPresent() && c.get().path("sha256").asText().equalsIgnoreCase(r.sha256())) {
        found.add(r.sha256());
      }
    }
    return found;
  }

  @Override
  public Map<String, String> registrations(Collection<String> ids) throws Exception {
    Map<String, String> out = new HashMap<>();
    for (String id : ids) {
      admin.registration(id).ifPresent(r -> out.put(id, r.path("certificateSha256").asText("")));
    }
    return out;
  }

  @Override
  public void close() {}
}
