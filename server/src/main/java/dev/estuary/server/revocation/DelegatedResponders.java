package dev.estuary.server.revocation;

import dev.estuary.pki.KeyPairs;
import dev.estuary.pki.Serials;
import dev.estuary.pki.Thumbprints;
import dev.estuary.server.store.CertificateRecord;
import dev.estuary.server.store.CertificateStore;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.ocsp.RespID;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * {@code ocsp_signer = "delegated"}: each issuing CA signs, at start and again when half of it has
 * passed, a short-lived responder certificate (EC P-256 key held in memory only, EKU
 * id-kp-OCSPSigning, id-pkix-ocsp-nocheck, {@link #VALIDITY}) that signs the CA's OCSP answers and
 * travels with them. The CA key is then used once a few days instead of per nonce; the price is a
 * key in memory whose theft lets its holder answer "good" until the certificate expires (nocheck:
 * nobody asks whether it is revoked). Each certificate is recorded like every other this server
 * issues (label {@value #LABEL}).
 */
public final class DelegatedResponders {
  /** How long a responder certificate lives. */
  public static final Duration VALIDITY = Duration.ofDays(2);

  /** The label its records carry. */
  public static final String LABEL = "(ocsp-responder)";

  private DelegatedResponders() {}

  /** One delegated signer per CA. */
  public static Map<String, OcspResponder.Signer> make(
      Map<String, PublishedCa> cas, CertificateStore store, SecureRandom random, Clock clock) {
    Map<String, OcspResponder.Signer> out = new LinkedHashMap<>();
    Serials serials = new Serials(random, clock);
    for (PublishedCa ca : cas.values()) {
      out.put(ca.id(), new Delegate(ca, store, serials, random, clock));
    }
    return out;
  }

  private static final class Delegate implements OcspResponder.Signer {
    private final PublishedCa ca;
    private final CertificateStore store;
    private final Serials serials;
    private final SecureRandom random;
    private final Clock clock;
    private KeyPair key;
    private X509CertificateHolder cert;
    private RespID id;

    Delegate(
        PublishedCa ca, CertificateStore store, Serials serials, SecureRandom random, Clock clock) {
      this.ca = ca;
      this.store = store;
      this.serials = serials;
      this.random = random;
      this.clock = clock;
      renew();
    }

    private synchronized void renewIfDue() {
      Instant start = cert.getNotBefore().toInstant();
      Instant end = cert.getNotAfter().toInstant();
      if (!clock.instant().isBefore(start.plus(Duration.between(start, end).dividedBy(2)))) {
        renew();
      }
    }

    private synchronized void renew() {
      KeyPair k = KeyPairs.generate("ec-p256", random);
      Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
      X500Name caName =
          X500Name.getInstance(ca.ca().certificate().getSubjectX500Principal().getEncoded());
      String cn =
          caName.getRDNs(BCStyle.CN).length > 0
              ? caName.getRDNs(BCStyle.CN)[0].getFirst().getValue().toString()
              : ca.id();
      X500Name subject =
          new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, cn + " OCSP responder").build();
      SubjectPublicKeyInfo spki = SubjectPublicKeyInfo.getInstance(k.getPublic().getEncoded());
      Instant notAfter = now.plus(VALIDITY);
      Instant caEnd = ca.ca().certificate().getNotAfter().toInstant();
      if (notAfter.isAfter(caEnd)) {
        notAfter = caEnd;
      }
      try {
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        X509v3CertificateBuilder b =
            new X509v3CertificateBuilder(
                caName,
                serials.next(),
                Date.from(now.minus(Duration.ofMinutes(5))),
                Date.from(notAfter),
                subject,
                spki);
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        b.addExtension(
            Extension.extendedKeyUsage,
            false,
            new ExtendedKeyUsage(KeyPurposeId.id_kp_OCSPSigning));
        b.addExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nocheck, false, DERNull.INSTANCE);
        b.addExtension(
            Extension.authorityKeyIdentifier,
            false,
            ext.createAuthorityKeyIdentifier(ca.ca().certificate()));
        b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(spki));
        X509CertificateHolder c = b.build(ca.ca().contentSigner());
        byte[] der = c.getEncoded();
        // Recorded before it is used, as every certificate this server issues.
        store.record(
            new CertificateRecord(
                c.getSerialNumber(),
                new X500Principal(c.getSubject().getEncoded()).getName(),
                ca.subjectName(),
                c.getNotBefore().toInstant(),
                c.getNotAfter().toInstant(),
                LABEL,
                "EC P-256",
                Thumbprints.sha256(der),
                "server",
                "ocsp_signer",
                now,
                der,
                null,
                null,
                null),
            null);
        this.key = k;
        this.cert = c;
        this.id = OcspResponder.keyHashId(c);
      } catch (IOException | GeneralSecurityException e) {
        throw new IllegalStateException("cannot make the OCSP responder certificate: " + e, e);
      }
    }

    @Override
    public ContentSigner contentSigner() {
      renewIfDue();
      try {
        synchronized (this) {
          return new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate());
        }
      } catch (OperatorCreationException e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public synchronized RespID responderId() {
      return id;
    }

    @Override
    public synchronized X509CertificateHolder[] certificates() {
      return new X509CertificateHolder[] {cert};
    }
  }
}
