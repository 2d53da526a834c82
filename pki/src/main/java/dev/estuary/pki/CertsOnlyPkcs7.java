package dev.estuary.pki;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSSignedData;

/**
 * The "certs-only" CMS SignedData of RFC 7030 §4.1.3 / §4.2.3: no signers, no content, just
 * certificates, in the order given (leaf first for an enrollment, root first for cacerts).
 */
public final class CertsOnlyPkcs7 {
  private CertsOnlyPkcs7() {}

  /** DER of a ContentInfo(SignedData) carrying {@code certificates} in that order. */
  public static byte[] encode(List<X509Certificate> certificates) {
    return encodeDer(certificates.stream().map(Certificates::der).toList());
  }

  /** The same, for a certificate just signed followed by its CA chain (leaf first). */
  public static byte[] encode(SignedCertificate leaf, List<X509Certificate> chain) {
    List<byte[]> ders = new ArrayList<>(chain.size() + 1);
    ders.add(leaf.derUnsafe());
    chain.forEach(c -> ders.add(Certificates.der(c)));
    return encodeDer(ders);
  }

  /**
   * DER of a ContentInfo(SignedData) carrying the certificates whose DER is given, in that order,
   * each copied as it is (not parsed). Written by hand: Bouncy Castle's SignedData and DER tagging
   * would re-encode the certificate SET in DER, which sorts it, and clients take the first
   * certificate as the leaf (or the root).
   *
   * <pre>
   * ContentInfo ::= SEQUENCE { id-signedData, [0] EXPLICIT SignedData }
   * SignedData  ::= SEQUENCE { version 1, digestAlgorithms SET {}, SEQUENCE { id-data },
   *                            certificates [0] IMPLICIT SET OF Certificate, signerInfos SET {} }
   * </pre>
   */
  public static byte[] encodeDer(List<byte[]> certificates) {
    int certsLength = 0;
    for (byte[] c : certificates) {
      certsLength += c.length;
    }
    int certsTlv = tlvLength(certsLength);
    int signedDataContent =
        VERSION_1.length + EMPTY_SET.length + ENCAP_DATA.length + certsTlv + EMPTY_SET.length;
    int signedDataTlv = tlvLength(signedDataContent);
    int explicitTlv = tlvLength(signedDataTlv);
    int contentInfoContent = SIGNED_DATA_OID.length + explicitTlv;
    byte[] out = new byte[tlvLength(contentInfoContent)];
    int at = header(out, 0, 0x30, contentInfoContent);
    at = put(out, at, SIGNED_DATA_OID);
    at = header(out, at, 0xA0, signedDataTlv);
    at = header(out, at, 0x30, signedDataContent);
    at = put(out, at, VERSION_1);
    at = put(out, at, EMPTY_SET);
    at = put(out, at, ENCAP_DATA);
    at = header(out, at, 0xA0, certsLength);
    for (byte[] c : certificates) {
      at = put(out, at, c);
    }
    at = put(out, at, EMPTY_SET);
    if (at != out.length) {
      throw new IllegalStateException(
          "PKCS#7 length arithmetic is off: " + at + " of " + out.length);
    }
    return out;
  }

  /** OBJECT IDENTIFIER 1.2.840.113549.1.7.2 (id-signedData). */
  private static final byte[] SIGNED_DATA_OID = {
    0x06, 0x09, 0x2A, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xF7, 0x0D, 0x01, 0x07, 0x02
  };

  /**
   * SEQUENCE { OBJECT IDENTIFIER 1.2.840.113549.1.7.1 (id-data) }: encapContentInfo without
   * content.
   */
  private static final byte[] ENCAP_DATA = {
    0x30,
    0x0B,
    0x06,
    0x09,
    0x2A,
    (byte) 0x86,
    0x48,
    (byte) 0x86,
    (byte) 0xF7,
    0x0D,
    0x01,
    0x07,
    0x01
  };

  private static final byte[] VERSION_1 = {0x02, 0x01, 0x01};
  private static final byte[] EMPTY_SET = {0x31, 0x00};

  /** The length of a whole TLV whose content is {@code length} bytes (one-byte tag). */
  private static int tlvLength(int length) {
    return 1 + lengthOctets(length) + length;
  }

  private static int lengthOctets(int length) {
    if (length < 0x80) {
      return 1;
    }
    int n = 1;
    for (int l = length; l > 0; l >>>= 8) {
      n++;
    }
    return n;
  }

  private static int header(byte[] out, int at, int tag, int length) {
    out[at++] = (byte) tag;
    if (length < 0x80) {
      out[at++] = (byte) length;
      return at;
    }
    int octets = lengthOctets(length) - 1;
    out[at++] = (byte) (0x80 | octets);
    for (int i = octets - 1; i >= 0; i--) {
      out[at++] = (byte) (length >>> (8 * i));
    }
    return at;
  }

  private static int put(byte[] out, int at, byte[] bytes) {
    System.arraycopy(bytes, 0, out, at, bytes.length);
    return at + bytes.length;
  }

  /** The certificates of a certs-only (or any) CMS SignedData, in their encoded order. */
  public static List<X509Certificate> decode(byte[] der) throws PkiException {
    return decode(der, Integer.MAX_VALUE);
  }

  /**
   * As {@link #decode(byte[])}, refusing a structure of more than {@code max} certificates before
   * converting any of them.
   */
  public static List<X509Certificate> decode(byte[] der, int max) throws PkiException {
    Collection<X509CertificateHolder> holders;
    try {
      holders = new CMSSignedData(der).getCertificates().getMatches(null);
    } catch (CMSException | RuntimeException e) {
      throw new PkiException("not a PKCS#7 certs-only structure: " + e.getMessage(), e);
    }
    if (holders.size() > max) {
      throw new PkiException(
          "the PKCS#7 structure holds "
              + holders.size()
              + " certificates; at most "
              + max
              + " are accepted");
    }
    try {
      JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
      List<X509Certificate> out = new ArrayList<>();
      for (X509CertificateHolder h : holders) {
        out.add(converter.getCertificate(h));
      }
      return out;
    } catch (CertificateException | RuntimeException e) {
      throw new PkiException("not a PKCS#7 certs-only structure: " + e.getMessage(), e);
    }
  }
}
