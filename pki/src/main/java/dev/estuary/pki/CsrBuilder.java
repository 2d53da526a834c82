package dev.estuary.pki;

import java.io.IOException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.interfaces.ECKey;
import java.util.Objects;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * Builds the PKCS#10 requests a device sends: a client identity (EST identity, device identity) or
 * an Edge CA, the way the Azure identity service asks for them. The private key may live in a
 * token: pass the provider that holds it.
 */
public final class CsrBuilder {
  private CsrBuilder() {}

  /** What the request asks for. */
  public enum Kind {
    /** keyUsage digitalSignature, EKU clientAuth. */
    CLIENT_IDENTITY,
    /** basicConstraints CA:TRUE pathlen:0 and keyUsage digitalSignature + keyCertSign, critical. */
    EDGE_CA
  }

  /**
   * A DER-encoded CSR for {@code commonName}, signed with {@code privateKey}.
   *
   * @param signer the provider holding {@code privateKey} (a PKCS#11 provider for a token key), or
   *     null to let the JCA choose
   * @throws PkiException if the key cannot sign
   */
  public static byte[] build(
      String commonName, Kind kind, PublicKey publicKey, PrivateKey privateKey, Provider signer)
      throws PkiException {
    Objects.requireNonNull(commonName, "commonName");
    X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName).build();
    try {
      ExtensionsGenerator ext = new ExtensionsGenerator();
      switch (kind) {
        case CLIENT_IDENTITY -> {
          ext.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
          ext.addExtension(
              Extension.extendedKeyUsage,
              false,
              new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
        }
        case EDGE_CA -> {
          ext.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
          ext.addExtension(
              Extension.keyUsage,
              true,
              new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyCertSign));
        }
      }
      JcaContentSignerBuilder builder = new JcaContentSignerBuilder(signatureAlgorithm(publicKey));
      if (signer != null) {
        builder.setProvider(signer);
      }
      ContentSigner contentSigner = builder.build(privateKey);
      return new JcaPKCS10CertificationRequestBuilder(subject, publicKey)
          .addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, ext.generate())
          .build(contentSigner)
          .getEncoded();
    } catch (IOException | OperatorCreationException | RuntimeException e) {
      throw new PkiException(
          "cannot sign a CSR with the " + publicKey.getAlgorithm() + " key: " + e.getMessage(), e);
    }
  }

  /** SHA-256 (SHA-384 for P-384 and larger EC keys) with the key's algorithm. */
  static String signatureAlgorithm(PublicKey key) {
    return switch (key.getAlgorithm()) {
      case "EC", "ECDSA" ->
          ((ECKey) key).getParams().getCurve().getField().getFieldSize() > 256
              ? "SHA384withECDSA"
              : "SHA256withECDSA";
      case "RSA" -> "SHA256withRSA";
      case "Ed25519", "EdDSA" -> "Ed25519";
      default ->
          throw new IllegalArgumentException(
              "no CSR signature algorithm for a " + key.getAlgorithm() + " key");
    };
  }
}
