/**
 * The agent's renewal engine: when to renew each credential, and what to do when a renewal fails.
 *
 * <p>It knows nothing of EST, HTTP or files. A credential is anything that implements {@link
 * dev.estuary.agent.renewal.Renewable}: it reports the validity of the certificate it holds and,
 * when asked, tries to get a new one. The engine decides when to ask:
 *
 * <ul>
 *   <li>{@link dev.estuary.agent.renewal.RenewalPolicy} turns the configuration's {@code threshold}
 *       and {@code retry} ({@code N%}, {@code Nmin}, {@code Nday}) into a renewal time and a retry
 *       period for a given certificate;
 *   <li>{@link dev.estuary.agent.renewal.Jitter} moves that renewal time by a fixed, per-device
 *       amount so that a fleet provisioned together does not renew together;
 *   <li>{@link dev.estuary.agent.renewal.RenewalEngine} holds one schedule per credential and is
 *       driven step by step ({@code runDue(now)}, {@code nextWakeUp()}) by a loop that does the
 *       sleeping, so every behaviour is tested by moving a clock;
 *   <li>{@link dev.estuary.agent.renewal.KeyRotation} is the ordering a credential follows to
 *       replace its key without ever leaving a key and certificate that do not match.
 * </ul>
 *
 * <p>Besides credentials the engine runs tasks that follow one ({@link
 * dev.estuary.agent.renewal.FollowUp}: the registration with the provisioning service follows the
 * device identity), due after each renewal of that credential and retried by its policy: the agent
 * has one backoff, the engine's.
 *
 * <p>Time only ever comes from a {@link java.time.Clock} or an {@link java.time.Instant} argument.
 */
package dev.estuary.agent.renewal;
