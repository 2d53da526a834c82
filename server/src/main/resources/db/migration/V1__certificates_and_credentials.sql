-- Estuary schema, version 1. Portable SQL: runs unchanged on H2 2.x (default mode) and
-- PostgreSQL 15+. Timestamps are UTC instants; serials are positive integers of up to
-- 20 octets (RFC 5280), i.e. at most 49 decimal digits.

CREATE TABLE certificate (
  serial            NUMERIC(50, 0)           NOT NULL,
  subject           VARCHAR(2048)            NOT NULL,
  issuer            VARCHAR(2048)            NOT NULL,
  not_before        TIMESTAMP WITH TIME ZONE NOT NULL,
  not_after         TIMESTAMP WITH TIME ZONE NOT NULL,
  label             VARCHAR(255)             NOT NULL,
  key_algorithm     VARCHAR(64)              NOT NULL,
  sha256            VARCHAR(64)              NOT NULL,
  gate              VARCHAR(16)              NOT NULL,
  requester         VARCHAR(255)             NOT NULL,
  issued_at         TIMESTAMP WITH TIME ZONE NOT NULL,
  der               BYTEA                    NOT NULL,
  revoked_at        TIMESTAMP WITH TIME ZONE,
  revocation_reason VARCHAR(64),
  -- The unique indexes behind these two constraints serve lookups by serial and by sha256.
  CONSTRAINT certificate_serial_unique UNIQUE (serial),
  CONSTRAINT certificate_sha256_unique UNIQUE (sha256)
);

-- Lookup by subject, newest first.
CREATE INDEX certificate_subject_idx ON certificate (subject, issued_at);

CREATE TABLE bootstrap_secret (
  id             VARCHAR(64)              NOT NULL,
  label          VARCHAR(255)             NOT NULL,
  hash           VARCHAR(512)             NOT NULL,
  created_at     TIMESTAMP WITH TIME ZONE NOT NULL,
  expires_at     TIMESTAMP WITH TIME ZONE,
  -- NULL means unlimited.
  uses_remaining INTEGER,
  disabled       BOOLEAN                  DEFAULT FALSE NOT NULL,
  CONSTRAINT bootstrap_secret_pk PRIMARY KEY (id),
  CONSTRAINT bootstrap_secret_uses_not_negative CHECK (uses_remaining IS NULL OR uses_remaining >= 0)
);

CREATE INDEX bootstrap_secret_label_idx ON bootstrap_secret (label);

CREATE TABLE basic_user (
  username VARCHAR(255) NOT NULL,
  label    VARCHAR(255) NOT NULL,
  hash     VARCHAR(512) NOT NULL,
  disabled BOOLEAN      DEFAULT FALSE NOT NULL,
  CONSTRAINT basic_user_pk PRIMARY KEY (username)
);
