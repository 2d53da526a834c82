/**
 * The agent's configuration: the aziot {@code config.toml} an Azure IoT Edge device already has
 * (the file {@code iotedge config apply} reads), plus an optional {@code [estuary]} table.
 *
 * <p>{@link dev.estuary.agent.config.AgentConfigParser#parse} reads a file into an {@link
 * dev.estuary.agent.config.AgentConfig} or reports every problem at once, each as {@code key.path:
 * what is wrong}; {@link dev.estuary.agent.config.EffectiveConfig} writes the resolved result to
 * {@code <state_dir>/effective-config.toml}.
 *
 * <h2>What is read</h2>
 *
 * <ul>
 *   <li>{@code [cert_issuance.est]}: {@code trusted_certs} (array of {@code file:///} URIs; needed
 *       unless {@code [estuary] system_trust_store = true}), {@code [.auth]}, {@code
 *       [.identity_auto_renew]}, {@code [.urls]} ({@code default}, {@code est-id}, {@code
 *       device-id}, {@code aziot-edged-ca}).
 *   <li>Credentials ({@code [cert_issuance.est.auth]}, or the same keys in a certificate's own
 *       table, which then replace the global ones for that certificate): {@code username} + {@code
 *       password}; {@code identity_cert} + {@code identity_pk}; {@code bootstrap_identity_cert} +
 *       {@code bootstrap_identity_pk}. Basic may go with either certificate; the identity and the
 *       bootstrap identity exclude each other. Certificates are {@code file:///} URIs; keys are
 *       {@code file:///} URIs (the file must not be accessible by others: 0600, or 0640 for a
 *       group) or {@code pkcs11:} URIs (RFC 7512) naming an object, which need {@code [aziot_keys]
 *       pkcs11_lib_path} or {@code module-path} in the URI.
 *   <li>{@code [provisioning]}: {@code source = "dps"} ({@code global_endpoint}, {@code id_scope},
 *       {@code [.attestation]} with {@code method = "x509"}, {@code registration_id} of 1-64 {@code
 *       [A-Za-z0-9._:-]}, {@code identity_cert}); {@code "manual"} ({@code iothub_hostname}, {@code
 *       device_id}, {@code [.authentication]} with {@code method = "x509"}); or {@code "none"}.
 *       {@code identity_cert} is either a table with {@code method = "est"} (the agent obtains
 *       {@code device-id}; its {@code common_name} defaults to, and for DPS must equal, the
 *       registration id) or a {@code file:///} URI with {@code identity_pk} (used as is, not
 *       renewed).
 *   <li>{@code [edge_ca]} with {@code method = "est"}: the agent obtains {@code aziot-edged-ca};
 *       {@code common_name} defaults to {@code "aziot-edge CA"}.
 *   <li>In a certificate table ({@code identity_cert}, {@code edge_ca}): {@code url}, {@code
 *       common_name}, the credential keys, {@code [.auto_renew]}.
 *   <li>{@code auto_renew} / {@code identity_auto_renew}: {@code rotate_key} (default true), {@code
 *       threshold} (default {@code "80%"}), {@code retry} (default {@code "4%"}); values are {@code
 *       N%} with 0 &lt; N &lt; 100, {@code Nmin} or {@code Nday} with N &ge; 1, exactly as the
 *       Azure identity service accepts them.
 *   <li>{@code [aziot_keys]}: {@code pkcs11_lib_path} (a plain path) and {@code pkcs11_base_slot}
 *       (a {@code pkcs11:} URI naming a token or slot, where new keys are generated).
 *   <li>{@code [estuary]} (agent only): {@code state_dir} (default {@code /var/lib/estuary},
 *       relative to the file's directory when relative), {@code key_type} ({@code ec-p256} default,
 *       {@code ec-p384}, {@code rsa-2048}, {@code rsa-3072}, {@code rsa-4096}), {@code
 *       system_trust_store} (default false: trust only {@code trusted_certs}).
 * </ul>
 *
 * <h2>URL of each certificate</h2>
 *
 * The certificate's own {@code url}, else {@code cert_issuance.est.urls.<id>}, else {@code
 * urls.default}; none is an error. The EST identity {@code est-id} (needed with a bootstrap
 * identity) uses {@code urls.est-id} when set, otherwise the URL of the certificate it first
 * authenticates. URLs must be https with a host; one outside {@code /.well-known/est}, or ending
 * with an EST operation, gets a warning.
 *
 * <h2>Errors and warnings</h2>
 *
 * An unknown key in a table the agent reads is an error (with a suggestion when a known key is one
 * or two edits away). What aziot or IoT Edge use but the agent does not is a warning {@code not
 * used by estuary agent}: top-level settings such as {@code hostname}, {@code [agent]}, {@code
 * [connect]}, {@code [listen]}, {@code [moby_runtime]}, {@code [preloaded_certs]}, {@code [tpm]};
 * other {@code [cert_issuance.<id>]} entries and {@code urls} keys; other {@code [aziot_keys]}
 * keys; {@code expiry_days} and {@code subject}; an Edge CA that is preloaded, quickstart, {@code
 * local_ca} or {@code self_signed} (the agent then does not manage it); manual provisioning with a
 * connection string or {@code sas}. An {@code id_scope} that is not letters and digits (e.g. the
 * blog's {@code <DPS-ID-SCOPE …>} placeholder) is a warning. A file with warnings only is valid.
 */
package dev.estuary.agent.config;
