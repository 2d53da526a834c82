-- Estuary schema, version 4. Portable SQL, as V1: runs unchanged on H2 2.x (default mode) and
-- PostgreSQL 15+.
--
-- A certificate is identified by issuer + serial. The serial is unique across the whole table
-- (certificate_serial_unique, every CA of this server draws from one 128-bit space), so the
-- serial's index already answers "issuer + serial": the record found is then compared by its TBS
-- with the presented certificate (CertificateStore.findIssued), which contains the issuer. No new
-- index is needed.
--
-- principal: the stable identity the certificate was issued to (auth.Principals): the IDevID's
-- issuer + public key, inherited by every renewal. Null for certificates issued before V4.
ALTER TABLE certificate ADD COLUMN principal VARCHAR(128);

-- Name binding: the first name a principal obtains from a label binds them to each other.
CREATE TABLE name_binding (
  label       VARCHAR(255)             NOT NULL,
  name        VARCHAR(255)             NOT NULL,
  principal   VARCHAR(128)             NOT NULL,
  description VARCHAR(1024)            NOT NULL,
  created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
  CONSTRAINT name_binding_pk PRIMARY KEY (label, name)
);

CREATE INDEX name_binding_principal_idx ON name_binding (label, principal);
