package dev.estuary.server.config;

import java.time.Duration;
import java.util.List;

/**
 * One {@code [labels.NAME]} table of server.toml.
 *
 * @param ca the key-source alias of the issuing CA
 * @param profile "identity" (EKU clientAuth) or "edge-ca" (CA:TRUE, pathlen 0)
 * @param keyTypes accepted subject keys, e.g. ec-p256, ec-p384, rsa-2048, ed25519
 * @param auth gates in the order they are tried: secret, basic, mtls
 * @param trust for mtls: key-source aliases or PEM file paths of CAs whose certificates may
 *     authenticate, signing client certificates directly (the label's own CA is always trusted, for
 *     renewals of what the label issued only)
 * @param csrAttributes OIDs announced by /csrattrs; empty answers 204
 * @param bindNames the first name an identity obtains binds them (default: on for labels that
 *     authenticate certificates from configured trust issuers)
 * @param nameFrom a template over the IDevID ({subject.cn}, {serial}) that names first enrollments,
 *     or null for the CSR's name
 * @param sanTypes SAN types the label issues (dns, ip, uri, email, other, dn)
 * @param dnsPattern regular expression every DNS SAN must match whole
 */
public record LabelConfig(
    String name,
    String ca,
    String profile,
    Duration validity,
    List<String> keyTypes,
    List<String> auth,
    List<String> trust,
    boolean reenrollmentForcing,
    int maxCommonNameLength,
    List<String> csrAttributes,
    boolean bindNames,
    String nameFrom,
    List<String> sanTypes,
    String dnsPattern) {

  public LabelConfig {
    sanTypes = List.copyOf(sanTypes);
    keyTypes = List.copyOf(keyTypes);
    auth = List.copyOf(auth);
    trust = List.copyOf(trust);
    csrAttributes = List.copyOf(csrAttributes);
  }

  public boolean edgeCa() {
    return profile.equals("edge-ca");
  }
}
