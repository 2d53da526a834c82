/**
 * A small configuration toolkit shared by the server's {@code server.toml} and the agent's {@code
 * config.toml}: a TOML file read into {@link dev.estuary.config.Section}s, typed values (string,
 * integer in a range, boolean, duration, one of a set, URL, path, arrays of strings), unknown keys
 * reported with the known key they nearly match, and every {@link dev.estuary.config.ConfigProblem}
 * collected at once, each at its full key path.
 *
 * <p>Device side: compiled for Java 17 and depends on tomlj alone.
 */
package dev.estuary.config;
