/**
 * The agent's state file, {@code <state_dir>/state.json}, as typed records with one JSON form
 * ({@link dev.estuary.agent.state.AgentState}): the ledger of certificate files the agent wrote,
 * the engine's published schedule, and the registration with the provisioning service. Each record
 * has one owner, which alone writes it; {@link dev.estuary.agent.state.StateFile} rewrites the
 * whole file atomically after each change and moves an unreadable one aside. The records know none
 * of their owners.
 */
package dev.estuary.agent.state;
