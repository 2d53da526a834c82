package dev.estuary.pki;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/** PEM text for certificates, private keys and CSRs (strings in, strings out: no I/O). */
public final class Pem {
  private Pem() {}

  public static String encode(Object... objects) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(out)) {
      for (Object o : objects) {
        if (o instanceof List<?> list) {
          for (Object item : list) {
            w.writeObject(item);
          }
        } else {
          w.writeObject(o);
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

  /** The first private key in a PEM text (PKCS#8, or a traditional EC/RSA key pair). */
  public static PrivateKey privateKey(String pem) throws PkiException {
    JcaPEMKeyConverter converter = new JcaPEMKeyConverter().setProvider(Bc.provider());
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      Object o;
      while ((o = parser.readObject()) != null) {
        if (o instanceof PrivateKeyInfo info) {
          return converter.getPrivateKey(info);
        }
        if (o instanceof PEMKeyPair pair) {
          return converter.getKeyPair(pair).getPrivate();
        }
      }
    } catch (IOException e) {
      throw new PkiException("cannot read PEM private key: " + e.getMessage(), e);
    }
    throw new PkiException("no unencrypted PRIVATE KEY block found in PEM text");
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
