-- Estuary schema, version 7: revocation the world can check (CRL, OCSP) and disabled devices.
-- Portable SQL, as V1: runs unchanged on H2 2.x (default mode) and PostgreSQL 15+.

-- RFC 5280 5.3.2: the time the key is known or suspected to have been compromised, when the
-- operator gave one with the revocation; NULL otherwise.
ALTER TABLE certificate ADD COLUMN invalidity_date TIMESTAMP WITH TIME ZONE;

-- A CRL lists the revoked certificates of one CA: this index finds them without a scan.
CREATE INDEX certificate_revoked_idx ON certificate (revoked_at);

-- The last CRL number each issuing CA used (RFC 5280 5.2.3: it only grows), by the CA's key
-- identifier (hex SHA-1 of its public key, as RFC 5280 4.2.1.2 method 1): it survives restarts,
-- and replicas sharing the database draw from the same sequence.
CREATE TABLE crl_number (
  ca_id       VARCHAR(64)   NOT NULL,
  last_number NUMERIC(40, 0) NOT NULL,
  CONSTRAINT crl_number_pk PRIMARY KEY (ca_id)
);

-- Devices (by DPS registration id) whose renewals and registrations are refused. Deleting the
-- row enables the device again; its certificates and registration are never touched.
CREATE TABLE device_disabled (
  registration_id VARCHAR(128)             NOT NULL,
  disabled_at     TIMESTAMP WITH TIME ZONE NOT NULL,
  note            VARCHAR(1024),
  CONSTRAINT device_disabled_pk PRIMARY KEY (registration_id)
);
