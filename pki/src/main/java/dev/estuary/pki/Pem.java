package dev.estuary.pki;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.util.io.pem.PemObject;

/** PEM text for certificates, private keys and CSRs (strings in, strings out: no I/O). */
public final class Pem {
  private Pem() {}

  /**
   * PEM blocks for certificates, CSRs and private keys (lists are flattened). A private key is
   * written as PKCS#8 ({@code PRIVATE KEY}), the form openssl and aziot's keyd write, whichever
   * provider made it.
   */
  public static String encode(Object... objects) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(out)) {
      for (Object o : objects) {
        for (Object item : o instanceof List<?> list ? list : List.of(o)) {
          if (item instanceof PrivateKey key) {
            w.writeObject(new PemObject("PRIVATE KEY", key.getEncoded()));
          } else {
            w.writeObject(item);
          }
        }
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot write PEM for " + objects.getClass(), e);
    }
    return out.toString();
  }

  /** Every certificate in a PEM text, in order. */
  public static List<X509Certificate> certificates(String pem) throws PkiException {
    List<X509Certificate> out = new ArrayList<>();
    JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      Object o;
      while ((o = parser.readObject()) != null) {
        if (o instanceof X509CertificateHolder h) {
          out.add(converter.getCertificate(h));
        }
      }
    } catch (IOException | CertificateException e) {
      throw new PkiException("cannot read PEM certificates: " + e.getMessage(), e);
    }
    if (out.isEmpty()) {
      throw new PkiException("no CERTIFICATE block found in PEM text");
    }
    return out;
  }

  /**
   * The first private key in a PEM text (PKCS#8, or a traditional EC/RSA key pair), as the JDK's
   * own providers make it: usable by JSSE as it is, and no Bouncy Castle provider is registered on
   * a device for it.
   */
  public static PrivateKey privateKey(String pem) throws PkiException {
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      Object o;
      while ((o = parser.readObject()) != null) {
        if (o instanceof PrivateKeyInfo info) {
          return jdkKey(info);
        }
        if (o instanceof PEMKeyPair pair) {
          return jdkKey(pair.getPrivateKeyInfo());
        }
      }
    } catch (IOException e) {
      throw new PkiException("cannot read PEM private key: " + e.getMessage(), e);
    }
    throw new PkiException("no unencrypted PRIVATE KEY block found in PEM text");
  }

  private static PrivateKey jdkKey(PrivateKeyInfo info) throws PkiException {
    ASN1ObjectIdentifier oid = info.getPrivateKeyAlgorithm().getAlgorithm();
    String algorithm;
    if (oid.equals(X9ObjectIdentifiers.id_ecPublicKey)) {
      algorithm = "EC";
    } else if (oid.equals(PKCSObjectIdentifiers.rsaEncryption)) {
      algorithm = "RSA";
    } else if (oid.equals(EdECObjectIdentifiers.id_Ed25519)) {
      algorithm = "Ed25519";
    } else {
      throw new PkiException(
          "unsupported private key algorithm " + oid + " (EC, RSA and Ed25519 are)");
    }
    try {
      return KeyFactory.getInstance(algorithm)
          .generatePrivate(new PKCS8EncodedKeySpec(info.getEncoded()));
    } catch (IOException | GeneralSecurityException e) {
      throw new PkiException("cannot read the " + algorithm + " private key: " + e.getMessage(), e);
    }
  }

  /** The first CSR in a PEM text. */
  public static PKCS10CertificationRequest csr(String pem) throws PkiException {
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      Object o;
      while ((o = parser.readObject()) != null) {
        if (o instanceof PKCS10CertificationRequest csr) {
          return csr;
        }
      }
    } catch (IOException e) {
      throw new PkiException("cannot read PEM CSR: " + e.getMessage(), e);
    }
    throw new PkiException("no CERTIFICATE REQUEST block found in PEM text");
  }
}
