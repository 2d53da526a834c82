package dev.estuary.cli.demo;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The seed's config.toml (the blog post's, line breaks restored), pointed at an Estuary server: the
 * GlobalSign EST URLs become the quickstart's labels, the DPS endpoint and ID scope the
 * quickstart's, and {@code /var/aziot/...} the directory holding the IDevID. Nothing else changes.
 */
public final class SeedConfig {
  private SeedConfig() {}

  /** The seed's text as published, with its placeholders. */
  public static String template() {
    try (InputStream in = SeedConfig.class.getResourceAsStream("seed-config.toml")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("the seed config.toml is missing from the jar", e);
    }
  }

  /**
   * The seed's config.toml for a device whose IDevID files ({@code globalsign-root.cert.pem},
   * {@code IDevID.cert.pem}, {@code IDevID.key.pem}) are in {@code dir}, served by the quickstart
   * server described by {@code quickstartJson}.
   */
  public static String pointedAt(JsonNode quickstartJson, Path dir) {
    String files = dir.toAbsolutePath().toUri().toString();
    JsonNode labels = quickstartJson.get("labels");
    return template()
        .replace("file:///var/aziot/certs/", files)
        .replace("file:///var/aziot/secrets/", files)
        .replace(
            "https://<YOUR-LDEVID-ENDPOINT>.est.edge.dev.globalsign.com:443/.well-known/est/",
            labels.get("device-id").asText())
        .replace(
            "https://<YOUR-EDGE-CA-ENDPOINT>.est.edge.dev.globalsign.com:443/.well-known/est/",
            labels.get("edge-ca").asText())
        .replace(
            "https://global.azure-devices-provisioning.net",
            quickstartJson.get("dps_global_endpoint").asText())
        .replace("<DPS-ID-SCOPE e.g 0AB12345678>", quickstartJson.get("id_scope").asText());
  }
}
