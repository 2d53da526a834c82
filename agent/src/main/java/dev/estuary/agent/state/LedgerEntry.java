package dev.estuary.agent.state;

import java.util.Objects;
import java.util.Optional;

/**
 * What the agent remembers of the certificate file it wrote for one credential (the ledger, see
 * {@link dev.estuary.agent.credential.CertificateLedger}): SHA-256 fingerprints of the file. Owner:
 * the credential, through the ledger.
 *
 * @param certificateSha256 the file the agent last wrote and committed
 * @param pendingSha256 the file it was about to write (a crash between the two leaves it here)
 */
public record LedgerEntry(Optional<String> certificateSha256, Optional<String> pendingSha256) {
  /** The entry of a credential the agent has no record of. */
  public static final LedgerEntry NONE = new LedgerEntry(Optional.empty(), Optional.empty());

  public LedgerEntry {
    Objects.requireNonNull(certificateSha256, "certificateSha256");
    Objects.requireNonNull(pendingSha256, "pendingSha256");
  }

  /** Whether the agent wrote (or was about to write) the file with {@code fingerprint}. */
  public boolean wrote(String fingerprint) {
    return certificateSha256.filter(fingerprint::equals).isPresent()
        || pendingSha256.filter(fingerprint::equals).isPresent();
  }

  /** A file with {@code fingerprint} is about to be written. */
  public LedgerEntry pending(String fingerprint) {
    return new LedgerEntry(certificateSha256, Optional.of(fingerprint));
  }

  /** The file now has {@code fingerprint}. */
  public LedgerEntry committed(String fingerprint) {
    return new LedgerEntry(Optional.of(fingerprint), Optional.empty());
  }
}
