/**
 * The agent assembled and driven: {@link dev.estuary.agent.daemon.Agent} wires the configuration to
 * the stores, the EST and DPS clients, the renewal engine and its tasks (the registration); {@link
 * dev.estuary.agent.daemon.AgentDaemon} steps the engine and sleeps until its next due time, with
 * no schedule or backoff of its own. Nothing else in the agent imports this package.
 *
 * <p><b>The contract for an in-process caller</b> (the fleet simulator runs many agents on one
 * virtual clock, from one class, through these alone):
 *
 * <pre>{@code
 * Agent agent = Agent.open(config, clock);          // IOException; close() when done
 * AgentDaemon daemon = AgentDaemon.of(agent);       // the one factory of the daemon
 * List<CredentialStatus> attempted = daemon.step(); // what is due at clock.instant(); IOException
 * Instant next = daemon.nextWakeUp();               // call step() again when the clock gets there
 * Optional<ProvisioningState> p = agent.provisioning(); // assignedHub(), deviceId(), lastError()
 * boolean registered = agent.registered();          // assigned with the device-id on disk
 * List<String> ids = agent.ids();                   // credentials, in renewal order
 * Optional<EstCredential> c = agent.credential(id); // c.pair(): the key and certificate on disk
 * }</pre>
 *
 * <p>{@code step()} runs the due renewals in order, then the registration when it is due, saves the
 * state and returns the credentials it attempted. Each agent needs its own state directory.
 */
package dev.estuary.agent.daemon;
