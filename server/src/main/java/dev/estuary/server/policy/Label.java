package dev.estuary.server.policy;

import dev.estuary.pki.CertificateProfile;
import dev.estuary.pki.IssuingCa;
import dev.estuary.pki.KeyPolicy;
import dev.estuary.server.auth.AuthenticationFailed;
import dev.estuary.server.auth.Caller;
import dev.estuary.server.auth.Credentials;
import dev.estuary.server.auth.Gate;
import java.security.cert.X509Certificate;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * An EST label, as data: which CA issues, what it issues (profile, key policy, name policy), who
 * may ask (gates), and how names and renewals are treated. {@link IssuancePolicy} reads it.
 *
 * @param reenrollmentForcing when a caller presents a certificate this label issued, the new
 *     certificate keeps that certificate's subject and SANs whatever the CSR says
 * @param maxCommonNameLength longest CN accepted from a CSR
 * @param csrAttributes DER of the CsrAttrs answer for {@code /csrattrs}, or null for "none"
 * @param names the subject and SAN rules
 * @param bindNames the first name an identity obtains binds them to each other
 * @param nameTemplate when not null, a first enrollment with a certificate gets this name, made
 *     from that certificate (the IDevID): {@code {subject.cn}}, {@code {serial}}
 * @param previousCas earlier generations of the label's CA that are still valid (a rollover's
 *     overlap): certificates they issued keep renewing, and {@code cacerts} carries them; newest
 *     first
 * @param retiredCas retired generations of the label's CA (their keys removed): trusted for
 *     nothing, they only tell an enrollment that names one which CA's newer generations to trust
 * @param rootUpdate the roots and RFC 7030 §4.1.3 root key update certificates that {@code cacerts}
 *     carries during a root rollover, beside the CA's own chain; empty otherwise
 */
public record Label(
    String name,
    IssuingCa ca,
    CertificateProfile profile,
    KeyPolicy keyPolicy,
    List<Gate> gates,
    boolean reenrollmentForcing,
    int maxCommonNameLength,
    byte[] csrAttributes,
    NamePolicy names,
    boolean bindNames,
    String nameTemplate,
    List<X509Certificate> previousCas,
    List<X509Certificate> retiredCas,
    List<X509Certificate> rootUpdate) {

  public Label {
    gates = List.copyOf(gates);
    previousCas = List.copyOf(previousCas);
    retiredCas = List.copyOf(retiredCas);
    rootUpdate = List.copyOf(rootUpdate);
  }

  /** A label whose CA was never rolled. */
  public Label(
      String name,
      IssuingCa ca,
      CertificateProfile profile,
      KeyPolicy keyPolicy,
      List<Gate> gates,
      boolean reenrollmentForcing,
      int maxCommonNameLength,
      byte[] csrAttributes,
      NamePolicy names,
      boolean bindNames,
      String nameTemplate) {
    this(
        name,
        ca,
        profile,
        keyPolicy,
        gates,
        reenrollmentForcing,
        maxCommonNameLength,
        csrAttributes,
        names,
        bindNames,
        nameTemplate,
        List.of(),
        List.of(),
        List.of());
  }

  /**
   * The {@code cacerts} answer: the root of the CA's chain first (the seed's {@code openssl x509}
   * keeps the first certificate), then any other root and the root key update certificates, then
   * the intermediates and the CA, then the earlier generations of the CA still valid.
   */
  public List<X509Certificate> caCertificates() {
    Set<X509Certificate> out = new LinkedHashSet<>();
    List<X509Certificate> chain = ca.chain().reversed();
    out.add(chain.getFirst());
    out.addAll(rootUpdate);
    out.addAll(chain);
    for (X509Certificate previous : previousCas) {
      out.add(previous);
    }
    return List.copyOf(out);
  }

  /** A label with the default name policy, no binding and no name template. */
  public Label(
      String name,
      IssuingCa ca,
      CertificateProfile profile,
      KeyPolicy keyPolicy,
      List<Gate> gates,
      boolean reenrollmentForcing,
      int maxCommonNameLength,
      byte[] csrAttributes) {
    this(
        name,
        ca,
        profile,
        keyPolicy,
        gates,
        reenrollmentForcing,
        maxCommonNameLength,
        csrAttributes,
        NamePolicy.DEFAULT,
        false,
        null,
        List.of(),
        List.of(),
        List.of());
  }

  public boolean acceptsBasic() {
    return gates.stream().anyMatch(g -> g.name().equals("basic"));
  }

  /**
   * Runs the gates in order; the first that accepts wins. When none accepts, the failure of a gate
   * whose credentials were presented is reported, else "no credentials".
   */
  public Caller authenticate(Credentials credentials) throws AuthenticationFailed {
    AuthenticationFailed first = null;
    for (Gate gate : gates) {
      try {
        var caller = gate.authenticate(credentials, name);
        if (caller.isPresent()) {
          return caller.get();
        }
      } catch (AuthenticationFailed r) {
        if (first == null) {
          first = r;
        }
      }
    }
    if (first != null) {
      throw first;
    }
    throw new AuthenticationFailed("label '" + name + "' needs credentials: " + describeGates());
  }

  public String describeGates() {
    List<String> names =
        gates.stream()
            .map(
                g ->
                    switch (g.name()) {
                      case "secret" -> "a Secret-Value header";
                      case "basic" -> "HTTP Basic username and password";
                      case "mtls" -> "a TLS client certificate";
                      default -> g.name();
                    })
            .toList();
    return names.isEmpty() ? "none configured" : String.join(" or ", names);
  }
}
