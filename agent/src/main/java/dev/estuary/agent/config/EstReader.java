package dev.estuary.agent.config;

import dev.estuary.config.Section;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Reads {@code [cert_issuance.est]}; the rest of {@code [cert_issuance]} is not used. */
final class EstReader {
  static final Set<String> EST_KEYS =
      Set.of("trusted_certs", "auth", "urls", "identity_auto_renew");
  static final Set<String> URL_IDS =
      Set.of(
          EstSettings.DEFAULT_URL_KEY,
          EstCertificate.EST_ID,
          EstCertificate.DEVICE_ID,
          EstCertificate.EDGE_CA);

  /**
   * The EST settings and what the file wrote, valid or not, so that a later check does not report
   * "missing" for a key already reported as wrong.
   *
   * @param settings the valid settings
   * @param urlKeysWritten every key of {@code [cert_issuance.est.urls]}
   * @param authWritten whether {@code [cert_issuance.est.auth]} sets any credential key
   * @param trustedCertsWritten whether {@code trusted_certs} is present
   */
  record Read(
      EstSettings settings,
      Set<String> urlKeysWritten,
      boolean authWritten,
      boolean trustedCertsWritten) {}

  private EstReader() {}

  static Read read(Section root, boolean pkcs11Module) {
    Optional<Section> issuance = root.table("cert_issuance");
    issuance.ifPresent(
        ci -> {
          for (String key : ci.keys()) {
            if (!key.equals("est")) {
              ci.warning(key, AgentConfigParser.NOT_USED);
            }
          }
        });
    Optional<Section> estTable = issuance.flatMap(ci -> ci.table("est"));
    if (estTable.isEmpty()) {
      return new Read(
          new EstSettings(List.of(), EstAuth.NONE, RenewalSettings.DEFAULT, Map.of()),
          Set.of(),
          false,
          false);
    }
    Section est = estTable.get();
    Set<String> accepted = new HashSet<>(EST_KEYS);
    for (String key : EstAuthTable.KEYS) {
      if (est.has(key)) {
        est.error(key, "unknown key; credentials go in [cert_issuance.est.auth]");
        accepted.add(key);
      }
    }
    est.checkKeys(accepted, Set.of());

    List<URI> trusted = new ArrayList<>();
    est.strings("trusted_certs")
        .ifPresent(
            list ->
                list.forEach(
                    e ->
                        CredentialFiles.cert(e.path(), e.value(), est.problems())
                            .ifPresent(trusted::add)));

    Optional<Section> authTable = est.table("auth");
    authTable.ifPresent(a -> a.checkKeys(EstAuthTable.KEYS, Set.of()));
    EstAuth auth = authTable.map(a -> EstAuthTable.read(a, pkcs11Module)).orElse(EstAuth.NONE);
    boolean authWritten = authTable.map(EstAuthTable::writesAny).orElse(false);

    RenewalSettings identityRenew = RenewalTable.read(est.table("identity_auto_renew"));

    Map<String, URI> urls = new LinkedHashMap<>();
    Set<String> urlKeys = new HashSet<>();
    est.table("urls")
        .ifPresent(
            u -> {
              for (String id : u.keys()) {
                urlKeys.add(id);
                if (!URL_IDS.contains(id)) {
                  u.warning(
                      id,
                      AgentConfigParser.NOT_USED
                          + " (it uses default, est-id, device-id and aziot-edged-ca)");
                  continue;
                }
                u.nonEmptyString(id)
                    .flatMap(text -> HttpsUrls.check(u.keyPath(id), text, true, u.problems()))
                    .ifPresent(url -> urls.put(id, url));
              }
            });
    return new Read(
        new EstSettings(trusted, auth, identityRenew, urls),
        Set.copyOf(urlKeys),
        authWritten,
        est.has("trusted_certs"));
  }
}
