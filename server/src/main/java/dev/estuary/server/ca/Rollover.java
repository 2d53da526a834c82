package dev.estuary.server.ca;

import dev.estuary.pki.CertificateProfile;
import dev.estuary.pki.IssueOrder;
import dev.estuary.pki.IssuingCa;
import dev.estuary.pki.KeyPairs;
import dev.estuary.pki.Serials;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECKey;
import java.security.interfaces.RSAKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.GeneralSubtree;
import org.bouncycastle.asn1.x509.NameConstraints;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/**
 * The steps of a CA rollover, on the server's keystores (the online one server.toml names and, when
 * the root's and TLS CA's keys are kept apart, that one too): a new generation of an issuing CA
 * ({@link #roll}), a new root with its RFC 7030 §4.1.3 root key update certificates ({@link
 * #rollRoot}), moving every issuing CA and the TLS certificate under the new root ({@link
 * #switchRoot}), and retiring what nothing valid depends on any more ({@link #retire}, {@link
 * #retireRoot}). Each generation is a key entry of its own ({@link CaGenerations}); nothing is
 * overwritten but the TLS key entry. No I/O: the caller loads and stores the keystores.
 */
public final class Rollover {
  /** One keystore and the password of its entries. */
  public record Store(String name, KeyStore keyStore, char[] password) {}

  /** What a step made or removed: an alias and a sentence. */
  public record Step(String alias, String what) {}

  /**
   * Which certificates this server issued under a CA are still valid (not expired, not revoked):
   * one sentence each kind, or nothing.
   */
  @FunctionalInterface
  public interface StillValid {
    List<String> under(X509Certificate ca);
  }

  private final List<Store> stores;
  private final Instant now;
  private final Serials serials;
  private final SecureRandom random;

  public Rollover(List<Store> stores, Instant now, Serials serials, SecureRandom random) {
    this.stores = List.copyOf(stores);
    this.now = now;
    this.serials = serials;
    this.random = random;
  }

  /**
   * A new generation of the issuing CA {@code base} (e.g. {@code device-id-ca}) under the newest
   * root: a new key, the old CA's subject with " G&lt;n&gt;" added to its CN, its path length and
   * name constraints. A running server issues from it once it has taken the keystore up (it watches
   * the file; no restart).
   */
  public Step roll(String base) throws GeneralSecurityException {
    Store home = storeOf(base);
    List<String> generations = keyGenerations(home, base);
    if (base.equals(CaGenerations.ROOT)) {
      throw new IllegalArgumentException("the root is rolled with roll-root, not roll");
    }
    IssuingCa newest = issuingCa(home, generations.getLast());
    IssuingCa root = newestRoot();
    String alias = CaGenerations.next(base, generations);
    X509Certificate old = newest.certificate();
    int pathLen = old.getBasicConstraints() == Integer.MAX_VALUE ? -1 : old.getBasicConstraints();
    CertificateProfile profile =
        CertificateProfile.authority(pathLen, CaHierarchy.ISSUING_VALIDITY)
            .excluding(excludedNames(old));
    IssuingCa made =
        root.createSubordinate(
            alias,
            generationName(
                newest.certificate().getSubjectX500Principal(), CaGenerations.number(alias)),
            KeyPairs.generate(keyType(old.getPublicKey()), random),
            profile,
            now,
            serials);
    CaHierarchy.put(home.keyStore(), made, home.password());
    return new Step(
        alias,
        "new issuing CA '"
            + made.certificate().getSubjectX500Principal().getName()
            + "' under '"
            + root.certificate().getSubjectX500Principal().getName()
            + "', valid until "
            + made.certificate().getNotAfter().toInstant()
            + " (in "
            + home.name()
            + ")");
  }

  /**
   * A new root ({@code root.gN}, beside the old root's key) and the four root key update
   * certificates as certificate entries of the online keystore ({@code root-link.gN.*}): OldWithOld
   * (the old root), OldWithNew (the old root's key certified by the new), NewWithOld (the new
   * root's key certified by the old: a device that trusts the old root verifies the new through
   * it), NewWithNew (the new root). Nothing moves under the new root yet: see {@link #switchRoot}.
   */
  public List<Step> rollRoot() throws GeneralSecurityException {
    Store home = storeOf(CaGenerations.ROOT);
    List<String> generations = keyGenerations(home, CaGenerations.ROOT);
    IssuingCa old = issuingCa(home, generations.getLast());
    String alias = CaGenerations.next(CaGenerations.ROOT, generations);
    int n = CaGenerations.number(alias);
    X509Certificate oldCert = old.certificate();
    KeyPair newKey = KeyPairs.generate(keyType(oldCert.getPublicKey()), random);
    IssuingCa newRoot =
        IssuingCa.createRoot(
            alias,
            generationName(old.certificate().getSubjectX500Principal(), n),
            newKey,
            CaHierarchy.ROOT_VALIDITY,
            now,
            serials);
    CertificateProfile link = CertificateProfile.authority(-1, CaHierarchy.ROOT_VALIDITY);
    X509Certificate newWithOld =
        old.createSubordinate(alias, newRoot.subject(), newKey, link, now, serials).certificate();
    X509Certificate oldWithNew =
        newRoot
            .createSubordinate(
                alias,
                old.subject(),
                new KeyPair(oldCert.getPublicKey(), old.key()),
                link,
                now,
                serials)
            .certificate();
    CaHierarchy.put(home.keyStore(), newRoot, home.password());
    KeyStore online = stores.getFirst().keyStore();
    String prefix = CaGenerations.LINK_PREFIX + n;
    online.setCertificateEntry(prefix + ".old-with-old", oldCert);
    online.setCertificateEntry(prefix + ".old-with-new", oldWithNew);
    online.setCertificateEntry(prefix + ".new-with-old", newWithOld);
    online.setCertificateEntry(prefix + ".new-with-new", newRoot.certificate());
    return List.of(
        new Step(
            alias,
            "new root '"
                + newRoot.certificate().getSubjectX500Principal().getName()
                + "', valid until "
                + newRoot.certificate().getNotAfter().toInstant()
                + " (in "
                + home.name()
                + ")"),
        new Step(
            prefix + ".*",
            "root key update certificates OldWithOld, OldWithNew, NewWithOld (valid until "
                + newWithOld.getNotAfter().toInstant()
                + "), NewWithNew: cacerts carries them from the next start"));
  }

  /**
   * Moves everything under the newest root: a new generation of each issuing CA in {@code bases}
   * (see {@link #roll}) and a new TLS key whose certificate comes from the TLS CA's new generation,
   * stored under {@code tlsAlias} with the chain [TLS, TLS CA, NewWithOld link(s)], so that a
   * device that trusts only the old root still verifies the server through the link.
   */
  public List<Step> switchRoot(List<String> bases, String tlsAlias)
      throws GeneralSecurityException {
    IssuingCa root = newestRoot();
    if (CaGenerations.number(root.name()) == 1) {
      throw new IllegalArgumentException(
          "there is no new root to move to: run `estuary server ca roll-root` first");
    }
    List<Step> steps = new ArrayList<>();
    Store tlsHome = storeOf(tlsAlias);
    List<X509Certificate> tlsChain = chainOf(tlsHome, tlsAlias);
    String tlsCaBase = baseOfCertificate(tlsChain.get(1));
    Set<String> all = new LinkedHashSet<>(bases);
    all.add(tlsCaBase);
    for (String base : all) {
      IssuingCa newest = issuingCa(storeOf(base), keyGenerations(storeOf(base), base).getLast());
      if (newest.root().equals(root.certificate())) {
        steps.add(new Step(newest.name(), "already under the new root"));
        continue;
      }
      steps.add(roll(base));
    }
    Store caHome = storeOf(tlsCaBase);
    IssuingCa tlsCa = issuingCa(caHome, keyGenerations(caHome, tlsCaBase).getLast());
    X509Certificate oldTls = tlsChain.getFirst();
    KeyPair key = KeyPairs.generate(keyType(oldTls.getPublicKey()), random);
    Duration validity =
        Duration.between(oldTls.getNotBefore().toInstant(), oldTls.getNotAfter().toInstant());
    X509Certificate tls =
        tlsCa.sign(
            new IssueOrder(
                X500Name.getInstance(oldTls.getSubjectX500Principal().getEncoded()),
                GeneralNames.getInstance(
                    DEROctetString.getInstance(
                            oldTls.getExtensionValue(Extension.subjectAlternativeName.getId()))
                        .getOctets()),
                SubjectPublicKeyInfo.getInstance(key.getPublic().getEncoded()),
                CertificateProfile.tlsServer(validity),
                serials.next(),
                now.minus(IssuingCa.BACKDATE),
                now.plus(validity)));
    List<X509Certificate> chain = new ArrayList<>();
    chain.add(tls);
    chain.addAll(tlsCa.chain().subList(0, tlsCa.chain().size() - 1));
    chain.addAll(linksTo(root.certificate()));
    tlsHome
        .keyStore()
        .setKeyEntry(
            tlsAlias, key.getPrivate(), tlsHome.password(), chain.toArray(Certificate[]::new));
    steps.add(
        new Step(
            tlsAlias,
            "new TLS key and certificate from '"
                + tlsCa.certificate().getSubjectX500Principal().getName()
                + "', served with the NewWithOld link for devices that trust only the old root"));
    return steps;
  }

  /**
   * Removes the issuing CA generation {@code alias}, refusing while it is the current generation of
   * its CA, while the TLS certificate chains through it, or while a certificate it issued is still
   * valid ({@code stillValid}).
   */
  public Step retire(String alias, StillValid stillValid) throws GeneralSecurityException {
    if (CaGenerations.base(alias).equals(CaGenerations.ROOT)) {
      throw new IllegalArgumentException("a root is retired with retire-root");
    }
    Store home = storeOf(alias);
    if (!home.keyStore().isKeyEntry(alias)) {
      throw new IllegalArgumentException("'" + alias + "' is not a key entry");
    }
    List<String> generations = keyGenerations(home, CaGenerations.base(alias));
    X509Certificate ca = chainOf(home, alias).getFirst();
    List<String> reasons = new ArrayList<>();
    List<X509Certificate> certs = new ArrayList<>();
    for (String g : generations) {
      certs.add(chainOf(home, g).getFirst());
    }
    if (generations.get(CaGenerations.current(certs, now)).equals(alias)) {
      reasons.add(
          "it is the current generation of '"
              + CaGenerations.base(alias)
              + "' (roll it first: estuary server ca roll)");
    }
    reasons.addAll(dependents(ca));
    reasons.addAll(stillValid.under(ca));
    if (!reasons.isEmpty()) {
      throw new IllegalStateException(
          "'" + alias + "' is not retired: " + String.join("; ", reasons));
    }
    home.keyStore().deleteEntry(alias);
    // The certificate stays (no key): enrollments that name it still find the newer generations.
    stores.getFirst().keyStore().setCertificateEntry(CaGenerations.RETIRED_PREFIX + alias, ca);
    return new Step(
        alias,
        "retired: its key removed from "
            + home.name()
            + "; its certificate kept as '"
            + CaGenerations.RETIRED_PREFIX
            + alias
            + "' (trusted for nothing; names the CA's family to enrollments)");
  }

  /**
   * Retires the oldest root once a newer one exists: refuses while a key entry (an issuing CA, the
   * TLS certificate) chains to it and is valid, or while a certificate issued under it is ({@code
   * stillValid}, asked for every CA certificate of those chains). Removes the root's key and the
   * root key update certificates that name it, and the NewWithOld link from the TLS chain.
   */
  public List<Step> retireRoot(StillValid stillValid) throws GeneralSecurityException {
    Store home = storeOf(CaGenerations.ROOT);
    List<String> generations = keyGenerations(home, CaGenerations.ROOT);
    if (generations.size() < 2) {
      throw new IllegalArgumentException(
          "there is one root only: roll-root and switch-root come before retire-root");
    }
    String alias = generations.getFirst();
    X509Certificate old = chainOf(home, alias).getFirst();
    List<String> reasons = new ArrayList<>();
    Set<X509Certificate> asked = new LinkedHashSet<>();
    for (Store s : stores) {
      for (String a : Collections.list(s.keyStore().aliases())) {
        if (!s.keyStore().isKeyEntry(a) || CaGenerations.base(a).equals(CaGenerations.ROOT)) {
          continue;
        }
        List<X509Certificate> chain = chainOf(s, a);
        if (!chain.getLast().equals(old)) {
          continue;
        }
        if (chain.getFirst().getNotAfter().toInstant().isAfter(now)) {
          reasons.add(
              "key entry '"
                  + a
                  + "' ("
                  + chain.getFirst().getSubjectX500Principal().getName()
                  + ") chains to it and is valid until "
                  + chain.getFirst().getNotAfter().toInstant()
                  + (chain.getFirst().getBasicConstraints() >= 0
                      ? " (retire it: estuary server ca retire --alias " + a + ")"
                      : ""));
        }
        for (X509Certificate c : chain.subList(0, chain.size() - 1)) {
          if (c.getBasicConstraints() >= 0 && asked.add(c)) {
            reasons.addAll(stillValid.under(c));
          }
        }
      }
    }
    if (!reasons.isEmpty()) {
      throw new IllegalStateException(
          "root '"
              + old.getSubjectX500Principal().getName()
              + "' is not retired: "
              + String.join("; ", reasons));
    }
    List<Step> steps = new ArrayList<>();
    home.keyStore().deleteEntry(alias);
    steps.add(new Step(alias, "retired: the old root's key removed from " + home.name()));
    for (Store s : stores) {
      for (String a : Collections.list(s.keyStore().aliases())) {
        if (a.startsWith(CaGenerations.LINK_PREFIX) && s.keyStore().isCertificateEntry(a)) {
          X509Certificate c = (X509Certificate) s.keyStore().getCertificate(a);
          if (names(c, old)) {
            s.keyStore().deleteEntry(a);
            steps.add(new Step(a, "removed (names the retired root)"));
          }
        } else if (s.keyStore().isKeyEntry(a)) {
          List<X509Certificate> chain = chainOf(s, a);
          List<X509Certificate> kept = new ArrayList<>();
          for (X509Certificate c : chain) {
            if (!names(c, old) || c.equals(chain.getFirst())) {
              kept.add(c);
            }
          }
          if (kept.size() != chain.size()) {
            s.keyStore()
                .setKeyEntry(
                    a,
                    s.keyStore().getKey(a, s.password()),
                    s.password(),
                    kept.toArray(Certificate[]::new));
            steps.add(new Step(a, "chain no longer carries the link to the retired root"));
          }
        }
      }
    }
    return steps;
  }

  /** The chain of a key entry whose CA is {@code ca} is still valid: one sentence each. */
  private List<String> dependents(X509Certificate ca) throws GeneralSecurityException {
    List<String> out = new ArrayList<>();
    for (Store s : stores) {
      for (String a : Collections.list(s.keyStore().aliases())) {
        if (!s.keyStore().isKeyEntry(a)) {
          continue;
        }
        List<X509Certificate> chain = chainOf(s, a);
        if (chain.size() > 1
            && chain.get(1).equals(ca)
            && chain.getFirst().getNotAfter().toInstant().isAfter(now)) {
          out.add(
              "key entry '"
                  + a
                  + "' was issued by it and is valid until "
                  + chain.getFirst().getNotAfter().toInstant());
        }
      }
    }
    return out;
  }

  private static boolean names(X509Certificate c, X509Certificate root) {
    return c.getSubjectX500Principal().equals(root.getSubjectX500Principal())
        || c.getIssuerX500Principal().equals(root.getSubjectX500Principal());
  }

  /** The NewWithOld links of the online keystore whose subject is {@code root}. */
  private List<X509Certificate> linksTo(X509Certificate root) throws GeneralSecurityException {
    List<X509Certificate> out = new ArrayList<>();
    KeyStore online = stores.getFirst().keyStore();
    for (String a : Collections.list(online.aliases())) {
      if (a.startsWith(CaGenerations.LINK_PREFIX) && a.endsWith(".new-with-old")) {
        X509Certificate c = (X509Certificate) online.getCertificate(a);
        if (c.getSubjectX500Principal().equals(root.getSubjectX500Principal())
            && c.getPublicKey().equals(root.getPublicKey())) {
          out.add(c);
        }
      }
    }
    return out;
  }

  private String baseOfCertificate(X509Certificate ca) throws GeneralSecurityException {
    for (Store s : stores) {
      for (String a : Collections.list(s.keyStore().aliases())) {
        if (s.keyStore().isKeyEntry(a) && chainOf(s, a).getFirst().equals(ca)) {
          return CaGenerations.base(a);
        }
      }
    }
    throw new IllegalArgumentException(
        "the key of the TLS certificate's issuer '"
            + ca.getSubjectX500Principal().getName()
            + "' is in no keystore given (server init keeps it in offline/root-and-tls-ca.p12)");
  }

  private IssuingCa newestRoot() throws GeneralSecurityException {
    Store home = storeOf(CaGenerations.ROOT);
    return issuingCa(home, keyGenerations(home, CaGenerations.ROOT).getLast());
  }

  private Store storeOf(String alias) throws GeneralSecurityException {
    for (Store s : stores) {
      if (s.keyStore().isKeyEntry(alias)) {
        return s;
      }
    }
    List<String> have = new ArrayList<>();
    for (Store s : stores) {
      have.add(s.name() + ": " + String.join(", ", Collections.list(s.keyStore().aliases())));
    }
    throw new IllegalArgumentException(
        "no key entry '"
            + alias
            + "'"
            + (alias.equals(CaGenerations.ROOT)
                ? " (the root's key): give the keystore that holds it with --offline-keys"
                : "")
            + " (have: "
            + String.join("; ", have)
            + ")");
  }

  private static List<String> keyGenerations(Store s, String base) throws GeneralSecurityException {
    List<String> out = new ArrayList<>();
    for (String a : CaGenerations.of(Collections.list(s.keyStore().aliases()), base)) {
      if (s.keyStore().isKeyEntry(a)) {
        out.add(a);
      }
    }
    return out;
  }

  private static List<X509Certificate> chainOf(Store s, String alias)
      throws GeneralSecurityException {
    List<X509Certificate> out = new ArrayList<>();
    for (Certificate c : s.keyStore().getCertificateChain(alias)) {
      out.add((X509Certificate) c);
    }
    return out;
  }

  private static IssuingCa issuingCa(Store s, String alias) throws GeneralSecurityException {
    PrivateKey key = (PrivateKey) s.keyStore().getKey(alias, s.password());
    return new IssuingCa(alias, chainOf(s, alias), key, null);
  }

  /** {@code name} with " G{n}" as the end of its CN (replacing an earlier generation's). */
  static X500Name generationName(X500Principal principal, int n) {
    X500Name name = X500Name.getInstance(principal.getEncoded());
    X500NameBuilder b = new X500NameBuilder(BCStyle.INSTANCE);
    boolean cn = false;
    for (RDN rdn : name.getRDNs()) {
      if (!rdn.isMultiValued() && rdn.getFirst().getType().equals(BCStyle.CN)) {
        String value = rdn.getFirst().getValue().toString().replaceFirst(" G[0-9]+$", "");
        b.addRDN(BCStyle.CN, value + " G" + n);
        cn = true;
      } else if (rdn.isMultiValued()) {
        b.addMultiValuedRDN(rdn.getTypesAndValues());
      } else {
        b.addRDN(rdn.getFirst());
      }
    }
    if (!cn) {
      b.addRDN(BCStyle.CN, "Generation " + n);
    }
    return b.build();
  }

  private static List<GeneralName> excludedNames(X509Certificate ca) {
    byte[] ext = ca.getExtensionValue(Extension.nameConstraints.getId());
    if (ext == null) {
      return List.of();
    }
    NameConstraints nc = NameConstraints.getInstance(DEROctetString.getInstance(ext).getOctets());
    List<GeneralName> out = new ArrayList<>();
    GeneralSubtree[] excluded = nc.getExcludedSubtrees();
    for (GeneralSubtree t : excluded == null ? new GeneralSubtree[0] : excluded) {
      out.add(t.getBase());
    }
    return out;
  }

  private static String keyType(PublicKey key) {
    if (key instanceof ECKey ec) {
      return "ec-p" + ec.getParams().getCurve().getField().getFieldSize();
    }
    if (key instanceof RSAKey rsa) {
      return "rsa-" + rsa.getModulus().bitLength();
    }
    if (key.getAlgorithm().equals("Ed25519") || key.getAlgorithm().equals("EdDSA")) {
      return "ed25519";
    }
    throw new IllegalArgumentException("unsupported CA key algorithm " + key.getAlgorithm());
  }
}
