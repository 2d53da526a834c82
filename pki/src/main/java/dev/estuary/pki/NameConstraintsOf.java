package dev.estuary.pki;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.GeneralSubtree;
import org.bouncycastle.asn1.x509.NameConstraints;

/**
 * RFC 5280 name constraints (§4.2.1.10) as a CA profile uses them: the names a certificate is
 * reached by, turned into excluded subtrees. A dNSName subtree excludes the name and every name
 * below it; an iPAddress subtree is the address with an all-ones mask (that one address).
 */
public final class NameConstraintsOf {
  private NameConstraintsOf() {}

  /**
   * The DNS names and IP addresses of {@code cert}'s subjectAltName, as names to exclude; a TLS
   * server certificate's names, so that no CA that carries them can mint a certificate for them.
   */
  public static List<GeneralName> serverNames(X509Certificate cert) throws PkiException {
    List<GeneralName> out = new ArrayList<>();
    Collection<List<?>> sans;
    try {
      sans = cert.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      throw new PkiException(
          "cannot read the subjectAltName of "
              + cert.getSubjectX500Principal()
              + ": "
              + e.getMessage(),
          e);
    }
    if (sans == null) {
      return out;
    }
    for (List<?> san : sans) {
      int type = (Integer) san.get(0);
      String value = (String) san.get(1);
      if (type == GeneralName.dNSName) {
        out.add(new GeneralName(GeneralName.dNSName, value.toLowerCase(Locale.ROOT)));
      } else if (type == GeneralName.iPAddress) {
        out.add(exactAddress(value));
      }
    }
    return List.copyOf(out);
  }

  /**
   * The DNS names and IP addresses among {@code sans} (subjectAltName form: an IP address is its 4
   * or 16 octets), as names to exclude; for a hierarchy made before its TLS certificate.
   */
  public static List<GeneralName> serverNames(GeneralNames sans) {
    List<GeneralName> out = new ArrayList<>();
    for (GeneralName name : sans.getNames()) {
      if (name.getTagNo() == GeneralName.dNSName) {
        out.add(
            new GeneralName(
                GeneralName.dNSName, name.getName().toString().toLowerCase(Locale.ROOT)));
      } else if (name.getTagNo() == GeneralName.iPAddress) {
        byte[] address = ASN1OctetString.getInstance(name.getName()).getOctets();
        out.add(exactAddress(address));
      }
    }
    return List.copyOf(out);
  }

  private static GeneralName exactAddress(byte[] address) {
    byte[] subtree = Arrays.copyOf(address, address.length * 2);
    Arrays.fill(subtree, address.length, subtree.length, (byte) 0xff);
    return new GeneralName(GeneralName.iPAddress, new DEROctetString(subtree));
  }

  /** An iPAddress subtree holding one address: the address followed by an all-ones mask. */
  static GeneralName exactAddress(String literal) throws PkiException {
    byte[] address;
    try {
      // getSubjectAlternativeNames gives the address as a literal, so no lookup happens here.
      address = InetAddress.getByName(literal).getAddress();
    } catch (UnknownHostException e) {
      throw new PkiException("not an IP address: " + literal, e);
    }
    return exactAddress(address);
  }

  /** The extension's value: {@code names} as excluded subtrees, no permitted subtrees. */
  static NameConstraints excluded(List<GeneralName> names) {
    GeneralSubtree[] excluded =
        names.stream().map(GeneralSubtree::new).toArray(GeneralSubtree[]::new);
    return new NameConstraints(null, excluded);
  }
}
