package dev.estuary.agent.config;

import dev.estuary.config.Section;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Reads the table of one certificate issued over EST ({@code identity_cert} or {@code edge_ca}) and
 * resolves its URL and credentials against {@code [cert_issuance.est]}. Remembers which
 * certificates ended up with no credentials, so that this is reported once.
 */
final class CertificateReader {
  static final Set<String> IGNORED = Set.of("expiry_days", "subject");
  private static final Set<String> USED = used();

  private final EstReader.Read est;
  private final boolean pkcs11Module;
  private final List<String> withoutCredentials = new ArrayList<>();
  private boolean someHaveOwnCredentials;

  CertificateReader(EstReader.Read est, boolean pkcs11Module) {
    this.est = est;
    this.pkcs11Module = pkcs11Module;
  }

  private static Set<String> used() {
    Set<String> keys = new HashSet<>(Set.of("method", "common_name", "url", "auto_renew"));
    keys.addAll(EstAuthTable.KEYS);
    return Set.copyOf(keys);
  }

  /**
   * The certificate {@code t} describes ({@code method = "est"}, already checked), or empty when
   * its URL cannot be resolved (reported).
   *
   * @param id the certificate id, which selects {@code cert_issuance.est.urls.<id>}
   * @param defaultCommonName the CN when {@code common_name} is not set; empty only when the file
   *     already has an error that names it
   */
  Optional<EstCertificate> read(Section t, String id, Optional<String> defaultCommonName) {
    t.checkKeys(USED, IGNORED);
    Optional<String> cn = t.nonEmptyString("common_name");
    if (cn.isPresent() && cn.get().length() > 64) {
      t.error(
          "common_name",
          "'" + cn.get() + "' is longer than 64 characters, the X.509 limit for a common name");
    }

    EstAuth auth = est.settings().auth();
    String authFrom = "cert_issuance.est.auth";
    if (EstAuthTable.writesAny(t)) {
      auth = EstAuthTable.read(t, pkcs11Module);
      authFrom = t.path();
      someHaveOwnCredentials = true;
    } else if (auth.isEmpty() && !est.authWritten()) {
      withoutCredentials.add(t.path());
    }

    RenewalSettings renew = RenewalTable.read(t.table("auto_renew"));

    Optional<URI> url = Optional.empty();
    String urlFrom = t.keyPath("url");
    if (t.has("url")) {
      url =
          t.nonEmptyString("url")
              .flatMap(text -> HttpsUrls.check(t.keyPath("url"), text, true, t.problems()));
    } else {
      for (String key : List.of(id, EstSettings.DEFAULT_URL_KEY)) {
        if (est.urlKeysWritten().contains(key)) {
          url = Optional.ofNullable(est.settings().urls().get(key));
          urlFrom = "cert_issuance.est.urls." + key;
          break;
        }
      }
      if (url.isEmpty()
          && est.urlKeysWritten().stream().noneMatch(k -> k.equals(id) || k.equals("default"))) {
        t.error(
            "url",
            "missing, and cert_issuance.est.urls has neither "
                + id
                + " nor default; set one of them");
      }
    }
    if (url.isEmpty()) {
      return Optional.empty();
    }
    String commonName = cn.or(() -> defaultCommonName).orElse("");
    return Optional.of(
        new EstCertificate(id, commonName, url.get(), urlFrom, auth, authFrom, renew));
  }

  /** The paths of the certificate tables that have no credentials of their own nor global ones. */
  List<String> withoutCredentials() {
    return List.copyOf(withoutCredentials);
  }

  /** True when some certificate table sets its own credentials. */
  boolean someHaveOwnCredentials() {
    return someHaveOwnCredentials;
  }
}
