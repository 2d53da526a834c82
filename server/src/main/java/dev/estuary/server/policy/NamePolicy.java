package dev.estuary.server.policy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;

/**
 * A label's rules for the names it certifies: which SAN types it issues and what a DNS name may
 * look like; never a control character in any name, never a wildcard, never the DN of one of this
 * server's CAs, never one of this server's own host names or addresses.
 *
 * @param sanTypes the SAN types issued: any of dns, ip, uri, email, other (otherName), dn
 *     (directoryName)
 * @param dnsPattern the whole of every DNS SAN must match it
 * @param reservedSubjects subjects no certificate may have: this server's CA names
 * @param reservedHosts this server's own host names (lower case) and IP addresses (as {@link
 *     InetAddress#getHostAddress()} writes them): no certificate names them, or a name below one of
 *     them, in its common name or a SAN (docs/security.md, "The server's name")
 */
public record NamePolicy(
    Set<String> sanTypes,
    Pattern dnsPattern,
    Set<X500Name> reservedSubjects,
    Set<String> reservedHosts) {
  public static final Set<String> SAN_TYPES = Set.of("dns", "ip", "uri", "email", "other", "dn");

  /** A host name of letters, digits and hyphens in dot-separated labels: no wildcard. */
  public static final String DEFAULT_DNS_PATTERN =
      "[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*";

  /** DNS SANs only, host names only, no reserved subjects. */
  public static final NamePolicy DEFAULT =
      new NamePolicy(Set.of("dns"), Pattern.compile(DEFAULT_DNS_PATTERN), Set.of());

  public NamePolicy(Set<String> sanTypes, Pattern dnsPattern, Set<X500Name> reservedSubjects) {
    this(sanTypes, dnsPattern, reservedSubjects, Set.of());
  }

  public NamePolicy {
    sanTypes = Set.copyOf(sanTypes);
    reservedSubjects = Set.copyOf(reservedSubjects);
    reservedHosts = Set.copyOf(reservedHosts);
    for (String t : sanTypes) {
      if (!SAN_TYPES.contains(t)) {
        throw new IllegalArgumentException(
            "'"
                + t
                + "' is not a SAN type (known: "
                + String.join(", ", List.copyOf(SAN_TYPES))
                + ")");
      }
    }
  }

  public NamePolicy withReservedSubjects(Set<X500Name> reserved) {
    return new NamePolicy(sanTypes, dnsPattern, reserved, reservedHosts);
  }

  public NamePolicy withReservedHosts(Set<String> hosts) {
    return new NamePolicy(sanTypes, dnsPattern, reservedSubjects, hosts);
  }

  /**
   * @throws Denial NAME_NOT_ALLOWED naming the first name that breaks a rule
   */
  public void check(String label, X500Name subject, GeneralNames sans) throws Denial {
    for (RDN rdn : subject.getRDNs()) {
      for (AttributeTypeAndValue atv : rdn.getTypesAndValues()) {
        String value =
            atv.getValue() instanceof ASN1String s ? s.getString() : atv.getValue().toString();
        if (hasControl(value)) {
          throw refused(
              label,
              "the subject has a control character (a line break, say) in "
                  + atv.getType().getId());
        }
        if (value.contains("*")) {
          throw refused(label, "the subject has a wildcard '*'");
        }
        if (atv.getType().equals(BCStyle.CN) && namesTheServer(value)) {
          throw refused(label, "the common name '" + value + "' is this server's name");
        }
      }
    }
    if (subject.getRDNs().length > 0) {
      for (X500Name reserved : reservedSubjects) {
        if (reserved.equals(subject)) {
          throw refused(
              label, "the subject '" + subject + "' is the name of one of this server's CAs");
        }
      }
    }
    if (sans == null) {
      return;
    }
    for (GeneralName n : sans.getNames()) {
      String type = typeOf(n.getTagNo());
      if (type == null || !sanTypes.contains(type)) {
        throw refused(
            label,
            "a subjectAltName of type "
                + (type == null ? "tag " + n.getTagNo() : type)
                + " is not issued (allowed: "
                + String.join(", ", sanTypes.stream().sorted().toList())
                + ")");
      }
      if (n.getName() instanceof ASN1String s) {
        String value = s.getString();
        if (hasControl(value)) {
          throw refused(label, "a " + type + " subjectAltName has a control character");
        }
        if (value.contains("*")) {
          throw refused(label, "the " + type + " subjectAltName '" + value + "' is a wildcard");
        }
        if (type.equals("dns") && !dnsPattern.matcher(value).matches()) {
          throw refused(
              label,
              "the DNS subjectAltName '" + value + "' does not match " + dnsPattern.pattern());
        }
        if (type.equals("dns") && namesTheServer(value)) {
          throw refused(label, "the DNS subjectAltName '" + value + "' is this server's name");
        }
      } else if (n.getName() instanceof DEROctetString && !type.equals("ip")) {
        throw refused(label, "a " + type + " subjectAltName is malformed");
      } else if (type.equals("ip")) {
        String address = addressOf(DEROctetString.getInstance(n.getName()).getOctets());
        if (address == null) {
          throw refused(label, "an IP subjectAltName is malformed");
        }
        if (reservedHosts.contains(address)) {
          throw refused(label, "the IP subjectAltName " + address + " is this server's address");
        }
      }
    }
  }

  private static String typeOf(int tag) {
    return switch (tag) {
      case GeneralName.dNSName -> "dns";
      case GeneralName.iPAddress -> "ip";
      case GeneralName.uniformResourceIdentifier -> "uri";
      case GeneralName.rfc822Name -> "email";
      case GeneralName.otherName -> "other";
      case GeneralName.directoryName -> "dn";
      default -> null;
    };
  }

  /** The name is one of the reserved hosts or a name below one (as DNS name constraints see it). */
  private boolean namesTheServer(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    if (n.endsWith(".")) {
      n = n.substring(0, n.length() - 1);
    }
    for (String host : reservedHosts) {
      if (n.equals(host) || n.endsWith("." + host)) {
        return true;
      }
    }
    return false;
  }

  private static String addressOf(byte[] octets) {
    if (octets.length != 4 && octets.length != 16) {
      return null;
    }
    try {
      return InetAddress.getByAddress(octets).getHostAddress();
    } catch (UnknownHostException e) {
      return null;
    }
  }

  static boolean hasControl(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
        return true;
      }
    }
    return false;
  }

  private static Denial refused(String label, String why) {
    return new Denial(Denial.Reason.NAME_NOT_ALLOWED, why + " (label '" + label + "' name policy)");
  }

  @Override
  public String toString() {
    return "NamePolicy[sanTypes="
        + sanTypes.stream().sorted().toList()
        + ", dns="
        + dnsPattern.pattern().toLowerCase(Locale.ROOT)
        + "]";
  }
}
