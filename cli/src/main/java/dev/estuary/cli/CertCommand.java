package dev.estuary.cli;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.TypeConversionException;

/** {@code estuary server cert show|revoke SERIAL}. */
@Command(
    name = "cert",
    mixinStandardHelpOptions = true,
    description = "Look up or revoke issued certificates.",
    subcommands = {CertCommand.Show.class, CertCommand.Revoke.class})
final class CertCommand {
  private static final Pattern HEX = Pattern.compile("[0-9a-fA-F]+(:[0-9a-fA-F]+)*");

  /**
   * A serial number as operators copy it: hex as {@code openssl x509 -serial} prints it (with or
   * without {@code serial=}, with or without colons); anything else is a usage error.
   */
  static String serial(String given) {
    String s = given.strip();
    if (s.regionMatches(true, 0, "serial=", 0, 7)) {
      s = s.substring(7);
    }
    if (!HEX.matcher(s).matches()) {
      throw new CliFailure(
          CliFailure.USAGE,
          "'"
              + given
              + "' is not a serial number in hex (copy it from openssl x509 -noout -serial, e.g. 4F1A09...)");
    }
    return s.replace(":", "").toLowerCase(Locale.ROOT);
  }

  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = "Prints what the server recorded for a serial number.")
  static final class Show implements Callable<Integer> {
    @Mixin AdminConnection admin;

    @Parameters(
        paramLabel = "SERIAL",
        description = "Serial number in hex (as openssl x509 -serial prints it).")
    String serial;

    @Override
    public Integer call() throws Exception {
      System.out.println(
          admin.call("GET", "certificates/" + serial(serial), null).toPrettyString());
      return 0;
    }
  }

  /** The reasons RFC 5280 (5.3.1) names, spelt as it spells them. */
  enum Reason {
    UNSPECIFIED("unspecified"),
    KEY_COMPROMISE("keyCompromise"),
    CA_COMPROMISE("cACompromise"),
    AFFILIATION_CHANGED("affiliationChanged"),
    SUPERSEDED("superseded"),
    CESSATION_OF_OPERATION("cessationOfOperation"),
    CERTIFICATE_HOLD("certificateHold"),
    PRIVILEGE_WITHDRAWN("privilegeWithdrawn"),
    AA_COMPROMISE("aACompromise");

    final String rfcName;

    Reason(String rfcName) {
      this.rfcName = rfcName;
    }

    static String names() {
      return String.join(", ", Arrays.stream(values()).map(r -> r.rfcName).toList());
    }

    /** picocli: an RFC 5280 name, in any case; anything else is refused with the list. */
    static final class Converter implements ITypeConverter<Reason> {
      @Override
      public Reason convert(String value) {
        for (Reason r : values()) {
          if (r.rfcName.equalsIgnoreCase(value)) {
            return r;
          }
        }
        throw new TypeConversionException(
            "'" + value + "' is not an RFC 5280 revocation reason; give one of " + names());
      }
    }

    /** picocli: the names for --help and shell completion. */
    static final class Names implements Iterable<String> {
      @Override
      public Iterator<String> iterator() {
        return Arrays.stream(values()).map(r -> r.rfcName).iterator();
      }
    }
  }

  @Command(
      name = "revoke",
      mixinStandardHelpOptions = true,
      description =
          "Revokes a certificate: it no longer authenticates anywhere, and the CRL and OCSP say so.")
  static final class Revoke implements Callable<Integer> {
    @Mixin AdminConnection admin;

    @Parameters(paramLabel = "SERIAL", description = "Serial number in hex.")
    String serial;

    @Option(
        names = "--reason",
        paramLabel = "REASON",
        defaultValue = "unspecified",
        converter = Reason.Converter.class,
        completionCandidates = Reason.Names.class,
        description =
            "RFC 5280 reason recorded: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Reason reason;

    @Option(
        names = "--issuer",
        paramLabel = "DN",
        description =
            "Only if the certificate's issuer is this DN (RFC 2253, as openssl x509 -issuer"
                + " -nameopt RFC2253 prints it).")
    String issuer;

    @Option(
        names = "--invalidity-date",
        paramLabel = "TIME",
        description =
            "When the key is known or suspected to have been compromised (RFC 3339 UTC, e.g."
                + " 2026-12-01T08:00:00Z); goes into the CRL entry.")
    String invalidityDate;

    @Override
    public Integer call() throws Exception {
      var body = AdminConnection.json().createObjectNode().put("reason", reason.rfcName);
      if (issuer != null) {
        body.put("issuer", issuer.strip().replaceFirst("^issuer=", ""));
      }
      if (invalidityDate != null) {
        try {
          Instant.parse(invalidityDate);
        } catch (DateTimeParseException e) {
          throw new CliFailure(
              CliFailure.USAGE,
              "--invalidity-date '"
                  + invalidityDate
                  + "' is not an RFC 3339 UTC time (e.g. 2026-12-01T08:00:00Z)");
        }
        body.put("invalidityDate", invalidityDate);
      }
      var r = admin.call("POST", "certificates/" + serial(serial) + "/revoke", body);
      System.out.println(
          (r.path("alreadyRevoked").asBoolean() ? "already revoked " : "revoked ")
              + r.get("serial").asText()
              + " ("
              + r.get("subject").asText()
              + ") at "
              + r.get("revokedAt").asText()
              + " ("
              + r.get("revocationReason").asText()
              + ")");
      return 0;
    }
  }
}
