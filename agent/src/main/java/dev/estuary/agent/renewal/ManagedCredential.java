package dev.estuary.agent.renewal;

import java.util.Objects;

/**
 * A credential handed to the engine, with how to renew it.
 *
 * @param credential obtains and stores certificates
 * @param schedule threshold, retry and jitter
 * @param rotateKey whether each renewal replaces the key ({@code rotate_key})
 */
public record ManagedCredential(Renewable credential, RenewalSchedule schedule, boolean rotateKey) {

  public ManagedCredential {
    Objects.requireNonNull(credential, "credential");
    Objects.requireNonNull(schedule, "schedule");
  }

  /** The credential's id. */
  public String id() {
    return credential.id();
  }
}
