package dev.estuary.server;

import dev.estuary.pki.CertificateProfile;
import dev.estuary.pki.ChainValidator;
import dev.estuary.pki.IssuingCa;
import dev.estuary.pki.KeyPolicy;
import dev.estuary.pki.NameConstraintsOf;
import dev.estuary.pki.Pem;
import dev.estuary.pki.PkiException;
import dev.estuary.server.auth.BasicAuthGate;
import dev.estuary.server.auth.BootstrapSecretGate;
import dev.estuary.server.auth.ClientCertificateGate;
import dev.estuary.server.auth.Gate;
import dev.estuary.server.ca.CaGenerations;
import dev.estuary.server.ca.CaKeys;
import dev.estuary.server.config.LabelConfig;
import dev.estuary.server.config.ServerConfig;
import dev.estuary.server.policy.Label;
import dev.estuary.server.policy.NamePolicy;
import dev.estuary.server.revocation.PublishedCa;
import dev.estuary.server.revocation.RevocationHandler;
import dev.estuary.server.store.CertificateStore;
import dev.estuary.server.store.CredentialStore;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.GeneralName;

/**
 * Builds the runtime labels from configuration: CA, profile, key and name policy, gates, trust,
 * binding.
 */
final class Labels {
  private Labels() {}

  static Map<String, Label> build(
      ServerConfig config,
      CaKeys keys,
      CertificateStore certificates,
      CredentialStore credentials,
      Clock clock,
      Predicate<String> principalDisabled)
      throws GeneralSecurityException, IOException, PkiException {
    Map<String, Label> out = new LinkedHashMap<>();
    BootstrapSecretGate secretGate = new BootstrapSecretGate(credentials, clock);
    BasicAuthGate basicGate = new BasicAuthGate(credentials, clock);
    // A device-held CA (Edge CA) may never mint a certificate for the server's own names, and no
    // certificate this server issues names it.
    X509Certificate tls = keys.chain(config.tlsAlias()).getFirst();
    List<GeneralName> serverNames = NameConstraintsOf.serverNames(tls);
    Set<String> serverHosts = hostsOf(tls);
    // No certificate may carry the name of one of this server's CAs.
    Set<X500Name> caNames = new LinkedHashSet<>();
    for (LabelConfig lc : config.labels().values()) {
      for (IssuingCa generation : keys.generations(lc.ca())) {
        for (X509Certificate c : generation.chain()) {
          caNames.add(X500Name.getInstance(c.getSubjectX500Principal().getEncoded()));
        }
      }
    }
    Instant now = clock.instant();
    List<X509Certificate> rootUpdate = new ArrayList<>();
    for (X509Certificate link : keys.rootLinks()) {
      if (CaGenerations.validAt(link, now) && !rootUpdate.contains(link)) {
        rootUpdate.add(link);
      }
    }
    for (LabelConfig lc : config.labels().values()) {
      // A rolled CA: the newest generation valid now issues; the older ones still valid renew.
      List<IssuingCa> generations = keys.generations(lc.ca());
      int current =
          CaGenerations.current(generations.stream().map(IssuingCa::certificate).toList(), now);
      IssuingCa ca = generations.get(current);
      List<X509Certificate> previous = new ArrayList<>();
      for (int i = generations.size() - 1; i >= 0; i--) {
        X509Certificate c = generations.get(i).certificate();
        if (i != current && CaGenerations.validAt(c, now)) {
          previous.add(c);
        }
      }
      List<Gate> gates = new ArrayList<>();
      for (String g : lc.auth()) {
        switch (g) {
          case "secret" -> gates.add(secretGate);
          case "basic" -> gates.add(basicGate);
          case "mtls" -> {
            Set<X509Certificate> configured = trustFor(lc, config, keys, now);
            Set<X509Certificate> issuers = new LinkedHashSet<>(configured);
            issuers.add(ca.certificate());
            issuers.addAll(previous);
            gates.add(
                new ClientCertificateGate(
                    certificates,
                    new ChainValidator(issuers),
                    configured,
                    clock,
                    principalDisabled));
          }
          default -> throw new IllegalStateException("unknown gate " + g);
        }
      }
      CertificateProfile profile =
          lc.edgeCa()
              ? CertificateProfile.edgeCa(lc.validity()).excluding(serverNames)
              : CertificateProfile.clientIdentity(lc.validity());
      String publicUrl = config.revocation().publicUrl();
      if (publicUrl != null) {
        profile = profile.publishing(RevocationHandler.urls(publicUrl, PublishedCa.of(ca).id()));
      }
      out.put(
          lc.name(),
          new Label(
              lc.name(),
              ca,
              profile,
              KeyPolicy.parse(lc.keyTypes()),
              gates,
              lc.reenrollmentForcing(),
              lc.maxCommonNameLength(),
              csrAttributes(lc.csrAttributes()),
              new NamePolicy(
                  Set.copyOf(lc.sanTypes()),
                  Pattern.compile(lc.dnsPattern()),
                  caNames,
                  serverHosts),
              lc.bindNames(),
              lc.nameFrom(),
              previous,
              keys.retired(lc.ca()),
              rootUpdate));
    }
    return out;
  }

  /**
   * The CAs whose CRLs and OCSP answers this server publishes: every label's issuing CA, and its
   * earlier generations still valid (what they issued during a rollover's overlap stays checkable
   * at the URLs it carries); each CA once.
   */
  static List<PublishedCa> published(ServerConfig config, CaKeys keys, Instant now)
      throws GeneralSecurityException {
    Map<String, PublishedCa> out = new LinkedHashMap<>();
    for (LabelConfig lc : config.labels().values()) {
      List<IssuingCa> generations = keys.generations(lc.ca());
      for (int i = generations.size() - 1; i >= 0; i--) {
        IssuingCa g = generations.get(i);
        if (CaGenerations.validAt(g.certificate(), now)) {
          PublishedCa ca = PublishedCa.of(g);
          out.putIfAbsent(ca.id(), ca);
        }
      }
    }
    return List.copyOf(out.values());
  }

  /**
   * The label's configured trust issuers (each a key alias, or a PEM file): client certificates
   * they sign directly may enroll for the first time. A key alias stands for every generation of
   * that CA still valid (a rolled CA's IDevIDs keep enrolling until they expire). The label's own
   * CA is added by the caller, for renewals only.
   */
  private static Set<X509Certificate> trustFor(
      LabelConfig lc, ServerConfig config, CaKeys keys, Instant now)
      throws GeneralSecurityException, IOException, PkiException {
    Set<X509Certificate> anchors = new LinkedHashSet<>();
    for (String entry : lc.trust()) {
      if (keys.contains(entry) || !CaGenerations.of(keys.aliases(), entry).isEmpty()) {
        // (the first generation may be retired: the newer ones still answer to its alias)
        List<IssuingCa> generations = keys.generations(entry);
        for (IssuingCa generation : generations) {
          if (CaGenerations.validAt(generation.certificate(), now)) {
            anchors.add(generation.certificate());
          }
        }
        anchors.add(generations.getLast().certificate());
      } else {
        Path file = config.resolve(entry);
        if (!Files.isReadable(file)) {
          throw new IOException(
              "labels."
                  + lc.name()
                  + ".trust: '"
                  + entry
                  + "' is neither a key alias nor a readable PEM file ("
                  + file
                  + ")");
        }
        anchors.addAll(Pem.certificates(Files.readString(file)));
      }
    }
    return anchors;
  }

  /** The DNS names (lower case) and IP addresses (normalised) of the server's TLS certificate. */
  private static Set<String> hostsOf(X509Certificate tls)
      throws CertificateParsingException, UnknownHostException {
    Set<String> hosts = new LinkedHashSet<>();
    Collection<List<?>> sans = tls.getSubjectAlternativeNames();
    for (List<?> san : sans == null ? List.<List<?>>of() : sans) {
      int type = (Integer) san.get(0);
      if (type == GeneralName.dNSName) {
        hosts.add(((String) san.get(1)).toLowerCase(Locale.ROOT));
      } else if (type == GeneralName.iPAddress) {
        hosts.add(
            InetAddress.getByName((String) san.get(1)).getHostAddress()); // a literal: no lookup
      }
    }
    return hosts;
  }

  private static byte[] csrAttributes(List<String> oids) throws IOException {
    if (oids.isEmpty()) {
      return null;
    }
    ASN1EncodableVector v = new ASN1EncodableVector();
    for (String oid : oids) {
      v.add(new ASN1ObjectIdentifier(oid));
    }
    return new DERSequence(v).getEncoded(ASN1Encoding.DER);
  }
}
