package dev.estuary.agent.config;

import dev.estuary.files.AtomicFiles;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The configuration the agent will use, as a TOML report: defaults filled in, each certificate's
 * URL and credentials resolved (with the key path they came from), secrets redacted (the Basic
 * password, a PKCS#11 {@code pin-value}). Written by {@code estuary agent config apply} to {@code
 * <state_dir>/effective-config.toml}. It is a report for people and tools; the agent itself always
 * reads the configuration file.
 */
public final class EffectiveConfig {
  /** The file name in the state directory. */
  public static final String FILE_NAME = "effective-config.toml";

  /** What replaces a secret. */
  public static final String REDACTED = "<redacted>";

  private EffectiveConfig() {}

  /** The report for {@code config}; the same configuration always gives the same text. */
  public static String render(AgentConfig config) {
    Toml out = new Toml();
    out.comment(
        "Effective configuration of estuary agent, written by `estuary agent config apply`.");
    out.comment("Read from " + config.source() + ".");
    out.comment("Defaults are filled in, every EST URL is resolved, secrets are redacted.");
    out.comment("This is a report: the agent reads the file above, not this one.");

    AgentSettings agent = config.agent();
    out.table("estuary");
    out.string("state_dir", agent.stateDir().toString());
    out.string("key_type", agent.keyType().configName());
    out.bool("system_trust_store", agent.systemTrustStore());
    agent
        .pkcs11()
        .ifPresent(
            p -> {
              out.string("pkcs11_lib_path", p.libraryPath().toString());
              p.baseSlot().ifPresent(slot -> out.string("pkcs11_base_slot", slot.toString()));
            });

    out.table("est");
    out.strings("trusted_certs", config.est().trustedCerts().stream().map(URI::toString).toList());

    provisioning(out, config.provisioning());

    if (config.needsEstIdentity()) {
      out.table("certificates." + EstCertificate.EST_ID);
      out.comment("Obtained with the bootstrap identity, then used for every later request.");
      config
          .est()
          .estIdentityUrl()
          .ifPresentOrElse(
              url -> {
                out.string("url", url.toString());
                out.string("url_from", "cert_issuance.est.urls." + EstCertificate.EST_ID);
              },
              () ->
                  out.comment(
                      "No url: requested at the URL of the certificate it first authenticates."));
      renewal(
          out,
          "certificates." + EstCertificate.EST_ID,
          config.est().identityAutoRenew(),
          "cert_issuance.est.identity_auto_renew");
    }
    for (EstCertificate cert : config.estCertificates()) {
      String table = "certificates." + cert.id();
      out.table(table);
      out.string("common_name", cert.commonName());
      out.string("url", cert.url().toString());
      out.string("url_from", cert.urlFrom());
      auth(out, table + ".auth", cert.auth(), cert.authFrom());
      renewal(out, table, cert.autoRenew(), null);
    }
    return out.text();
  }

  /**
   * Writes the report to {@code <state_dir>/effective-config.toml} atomically (temporary file,
   * fsync, rename, fsync of the directory), creating the state directory with mode 0700 when it is
   * missing. The file gets mode 0644: it holds no secret.
   *
   * @return the file written
   */
  public static Path write(AgentConfig config) throws IOException {
    Path target = config.agent().stateDir().resolve(FILE_NAME);
    Path dir = target.toAbsolutePath().getParent();
    if (Files.notExists(dir)) {
      AtomicFiles.createPrivateDirectory(dir, "rwx------");
    }
    AtomicFiles.write(target, render(config).getBytes(StandardCharsets.UTF_8), "rw-r--r--");
    return target;
  }

  private static void provisioning(Toml out, Provisioning provisioning) {
    out.table("provisioning");
    if (provisioning instanceof Provisioning.Dps dps) {
      out.string("source", "dps");
      out.string("global_endpoint", dps.globalEndpoint().toString());
      out.string("id_scope", dps.idScope());
      out.string("registration_id", dps.registrationId());
      identity(out, dps.identity());
    } else if (provisioning instanceof Provisioning.Manual manual) {
      out.string("source", "manual");
      out.string("iothub_hostname", manual.iothubHostname());
      out.string("device_id", manual.deviceId());
      identity(out, manual.identity());
    } else if (provisioning instanceof Provisioning.None none) {
      out.string("source", none.source());
      out.comment("No device identity certificate is managed.");
    }
  }

  private static void identity(Toml out, DeviceIdentity identity) {
    if (identity instanceof DeviceIdentity.Issued issued) {
      out.string("device_identity", "est: [certificates." + issued.certificate().id() + "]");
    } else if (identity instanceof DeviceIdentity.Preloaded preloaded) {
      out.string("device_identity", "preloaded (not renewed by the agent)");
      out.string("identity_cert", preloaded.credential().cert().toString());
      out.string("identity_pk", Pkcs11Uri.redact(preloaded.credential().key().toString()));
    }
  }

  private static void auth(Toml out, String table, EstAuth auth, String from) {
    out.table(table);
    out.string("from", from);
    auth.basic()
        .ifPresent(
            b -> {
              out.string("username", b.username());
              out.string("password", REDACTED);
            });
    auth.identity()
        .ifPresent(
            id -> {
              out.string("identity_cert", id.cert().toString());
              out.string("identity_pk", Pkcs11Uri.redact(id.key().toString()));
            });
    auth.bootstrapIdentity()
        .ifPresent(
            id -> {
              out.string("bootstrap_identity_cert", id.cert().toString());
              out.string("bootstrap_identity_pk", Pkcs11Uri.redact(id.key().toString()));
              out.string("then", "certificates." + EstCertificate.EST_ID);
            });
  }

  private static void renewal(Toml out, String parent, RenewalSettings renew, String from) {
    out.table(parent + ".auto_renew");
    if (from != null) {
      out.string("from", from);
    }
    out.bool("rotate_key", renew.rotateKey());
    out.string("threshold", renew.threshold());
    out.string("retry", renew.retry());
  }

  /** A minimal TOML writer: tables, comments, strings, booleans, string arrays. */
  private static final class Toml {
    private final StringBuilder text = new StringBuilder();

    void comment(String line) {
      text.append("# ").append(line).append('\n');
    }

    void table(String name) {
      text.append('\n').append('[').append(name).append("]\n");
    }

    void string(String key, String value) {
      text.append(key).append(" = ").append(quote(value)).append('\n');
    }

    void bool(String key, boolean value) {
      text.append(key).append(" = ").append(value).append('\n');
    }

    void strings(String key, List<String> values) {
      if (values.isEmpty()) {
        text.append(key).append(" = []\n");
        return;
      }
      text.append(key).append(" = [\n");
      values.forEach(v -> text.append("  ").append(quote(v)).append(",\n"));
      text.append("]\n");
    }

    String text() {
      return text.toString();
    }

    static String quote(String s) {
      StringBuilder b = new StringBuilder("\"");
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        switch (c) {
          case '"' -> b.append("\\\"");
          case '\\' -> b.append("\\\\");
          case '\n' -> b.append("\\n");
          case '\t' -> b.append("\\t");
          case '\r' -> b.append("\\r");
          default -> {
            if (c < 0x20 || c == 0x7f) {
              b.append(String.format("\\u%04X", (int) c));
            } else {
              b.append(c);
            }
          }
        }
      }
      return b.append('"').toString();
    }
  }
}
