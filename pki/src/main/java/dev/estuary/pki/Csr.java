package dev.estuary.pki;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.util.Map;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Null;
import org.bouncycastle.asn1.ASN1Set;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.pkcs.Attribute;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.operator.ContentVerifierProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;

/**
 * A PKCS#10 request whose signature has been verified (proof of possession), with what it asks for
 * read out. Construct with {@link #parse(byte[], KeyPolicy)}: the cheap checks (structure, the key
 * against the label's policy) come before the expensive one (the signature).
 *
 * @param subjectAltNames the SAN extension requested, or null
 * @param basicConstraints the basicConstraints requested, or null
 * @param keyUsage the keyUsage requested, or null
 */
public record Csr(
    byte[] der,
    X500Name subject,
    SubjectPublicKeyInfo publicKeyInfo,
    KeyDescription key,
    GeneralNames subjectAltNames,
    BasicConstraints basicConstraints,
    KeyUsage keyUsage) {

  private static final JcaContentVerifierProviderBuilder VERIFIERS =
      new JcaContentVerifierProviderBuilder().setProvider(Bc.provider());

  /**
   * Parses DER, checks the structure and verifies the signature with the enclosed key, whatever
   * that key is. For requests from the network use {@link #parse(byte[], KeyPolicy)}.
   *
   * @throws PkiException with a reason naming what is wrong
   */
  public static Csr parse(byte[] der) throws PkiException {
    return parse(der, null);
  }

  /**
   * Parses DER, checks the structure, checks the key against {@code policy} and only then verifies
   * the signature with it: a key the policy refuses (RSA-16384, an exponent of 16384 bits, DSA, an
   * unnamed curve) costs no signature verification.
   *
   * @param policy the keys accepted, or null to accept any key
   * @throws PkiException with a reason naming what is wrong
   */
  public static Csr parse(byte[] der, KeyPolicy policy) throws PkiException {
    return parse(der, policy, SignatureEngine.BOUNCY_CASTLE);
  }

  /**
   * As {@link #parse(byte[], KeyPolicy)}, the signature verified by {@code engine}.
   *
   * @param engine the provider that verifies (a server's choice; devices use Bouncy Castle)
   * @throws PkiException with a reason naming what is wrong
   */
  public static Csr parse(byte[] der, KeyPolicy policy, SignatureEngine engine)
      throws PkiException {
    PKCS10CertificationRequest req;
    try {
      req = new PKCS10CertificationRequest(der);
    } catch (IOException | RuntimeException e) {
      throw new PkiException("the body is base64 but not a DER PKCS#10 certification request", e);
    }
    SubjectPublicKeyInfo spki;
    try {
      spki = req.getSubjectPublicKeyInfo();
    } catch (RuntimeException e) {
      throw new PkiException("the CSR's subjectPublicKeyInfo is malformed", e);
    }
    KeyDescription key = policy == null ? KeyDescription.of(spki) : policy.check(spki);
    if (!signatureVerifies(req, spki, key, engine)) {
      throw new PkiException(
          "the CSR signature does not verify with the CSR's own public key (proof of possession failed)");
    }
    Extensions ext = requestedExtensions(req);
    GeneralNames sans =
        ext == null ? null : GeneralNames.fromExtensions(ext, Extension.subjectAlternativeName);
    BasicConstraints bc = ext == null ? null : BasicConstraints.fromExtensions(ext);
    KeyUsage ku = ext == null ? null : KeyUsage.fromExtensions(ext);
    return new Csr(der.clone(), req.getSubject(), spki, key, sans, bc, ku);
  }

  /**
   * Proof of possession. The common algorithms (ECDSA, RSA PKCS#1 v1.5, Ed25519) are checked with
   * one plain {@link Signature}: Bouncy Castle's JCA content verifier checks each signature a
   * second time (as raw ECDSA) and would double the cost of every enrollment. Anything else
   * (RSASSA-PSS with parameters, ...) goes through that verifier.
   */
  private static boolean signatureVerifies(
      PKCS10CertificationRequest req,
      SubjectPublicKeyInfo spki,
      KeyDescription key,
      SignatureEngine engine)
      throws PkiException {
    var algorithm = req.getSignatureAlgorithm();
    String name = PLAIN_SIGNATURES.get(algorithm.getAlgorithm().getId());
    try {
      if (name != null
          && (algorithm.getParameters() == null || algorithm.getParameters() instanceof ASN1Null)) {
        Signature signature = engine.verifier(name, spki);
        signature.update(
            req.toASN1Structure().getCertificationRequestInfo().getEncoded(ASN1Encoding.DER));
        return signature.verify(req.getSignature());
      }
      ContentVerifierProvider verifier = VERIFIERS.build(spki);
      return req.isSignatureValid(verifier);
    } catch (IOException
        | GeneralSecurityException
        | OperatorCreationException
        | PKCSException
        | RuntimeException e) {
      throw new PkiException(
          "the CSR signature cannot be verified ("
              + algorithm.getAlgorithm().getId()
              + " with a "
              + key
              + " key): "
              + e.getMessage(),
          e);
    }
  }

  private static final Map<String, String> PLAIN_SIGNATURES =
      Map.of(
          "1.2.840.10045.4.3.2", "SHA256withECDSA",
          "1.2.840.10045.4.3.3", "SHA384withECDSA",
          "1.2.840.10045.4.3.4", "SHA512withECDSA",
          "1.2.840.113549.1.1.11", "SHA256withRSA",
          "1.2.840.113549.1.1.12", "SHA384withRSA",
          "1.2.840.113549.1.1.13", "SHA512withRSA",
          "1.3.101.112", "Ed25519");

  private static Extensions requestedExtensions(PKCS10CertificationRequest req)
      throws PkiException {
    try {
      for (Attribute a : req.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)) {
        ASN1Set values = a.getAttrValues();
        if (values.size() > 0) {
          return Extensions.getInstance(values.getObjectAt(0));
        }
      }
      return null;
    } catch (RuntimeException e) {
      throw new PkiException(
          "the CSR's extensionRequest attribute is malformed: " + e.getMessage(), e);
    }
  }

  /** The first commonName of the subject, or "" when there is none. */
  public String commonName() {
    return commonName(subject);
  }

  public static String commonName(X500Name name) {
    RDN[] cns = name.getRDNs(BCStyle.CN);
    if (cns.length == 0) {
      return "";
    }
    ASN1Encodable v = cns[0].getFirst().getValue();
    return v instanceof ASN1String s ? s.getString() : IETFUtils.valueToString(v);
  }

  /** True when the request asks for a CA certificate (basicConstraints CA:TRUE). */
  public boolean requestsCa() {
    return basicConstraints != null && basicConstraints.isCA();
  }
}
