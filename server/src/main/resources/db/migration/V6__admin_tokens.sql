-- Estuary schema, version 6. Portable SQL, as V1: runs unchanged on H2 2.x (default mode) and
-- PostgreSQL 15+.
--
-- Admin API tokens with a role. A token is shown once as "<id>.<secret>"; only the PBKDF2 hash of
-- the whole text is kept. The id finds the row before the (expensive) hash is checked. A revoked
-- token keeps its row (revoked_at set), so the audit log's actor "token:<id>" still names it.
-- The server.toml token_hash token is not in this table: it is the admin "token:config".
CREATE TABLE admin_token (
  id         VARCHAR(64)              NOT NULL,
  name       VARCHAR(255)             NOT NULL,
  role       VARCHAR(16)              NOT NULL,
  hash       VARCHAR(512)             NOT NULL,
  created_at TIMESTAMP WITH TIME ZONE NOT NULL,
  created_by VARCHAR(128)             NOT NULL,
  expires_at TIMESTAMP WITH TIME ZONE,
  revoked_at TIMESTAMP WITH TIME ZONE,
  CONSTRAINT admin_token_pk PRIMARY KEY (id),
  CONSTRAINT admin_token_role_known CHECK (role IN ('admin', 'operator', 'auditor'))
);
