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
import dev.estuary.server.ca.CaKeys;
import dev.estuary.server.config.LabelConfig;
import dev.estuary.server.config.ServerConfig;
import dev.estuary.server.policy.Label;
import dev.estuary.server.store.CertificateStore;
import dev.estuary.server.store.CredentialStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.x509.GeneralName;

/** Builds the runtime labels from configuration: CA, profile, key policy, gates, trust. */
final class Labels {
  private Labels() {}

  static Map<String, Label> build(
      ServerConfig config, CaKeys keys, CertificateStore certificates, CredentialStore credentials, Clock clock)
      throws GeneralSecurityException, IOException, PkiException {
    Map<String, Label> out = new LinkedHashMap<>();
    BootstrapSecretGate secretGate = new BootstrapSecretGate(credentials, clock);
    BasicAuthGate basicGate = new BasicAuthGate(credentials, clock);
    // A device-held CA (Edge CA) may never mint a certificate for the server's own names.
    List<GeneralName> serverNames = NameConstraintsOf.serverNames(keys.chain(config.tlsAlias()).getFirst());
    for (LabelConfig lc : config.labels().values()) {
      IssuingCa ca = keys.issuingCa(lc.ca());
      List<Gate> gates = new ArrayList<>();
      for (String g : lc.auth()) {
        switch (g) {
          case "secret" -> gates.add(secretGate);
          case "basic" -> gates.add(basicGate);
          case "mtls" -> gates.add(new ClientCertificateGate(certificates, trustFor(lc, ca, config, keys), clock));
          default -> throw new IllegalStateException("unknown gate " + g);
        }
      }
      CertificateProfile profile =
          lc.edgeCa()
              ? CertificateProfile.edgeCa(lc.validity()).excluding(serverNames)
              : CertificateProfile.clientIdentity(lc.validity());
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
              csrAttributes(lc.csrAttributes())));
    }
    return out;
  }

  /** The label's own CA (renewals) plus each trust entry: a key alias, or a PEM file. */
  private static ChainValidator trustFor(LabelConfig lc, IssuingCa own, ServerConfig config, CaKeys keys)
      throws GeneralSecurityException, IOException, PkiException {
    Set<X509Certificate> anchors = new LinkedHashSet<>();
    anchors.add(own.certificate());
    for (String entry : lc.trust()) {
      if (keys.contains(entry)) {
        anchors.add(keys.chain(entry).getFirst());
      } else {
        Path file = config.resolve(entry);
        if (!Files.isReadable(file)) {
          throw new IOException(
              "labels." + lc.name() + ".trust: '" + entry + "' is neither a key alias nor a readable PEM file (" + file + ")");
        }
        anchors.addAll(Pem.certificates(Files.readString(file)));
      }
    }
    return new ChainValidator(anchors);
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
