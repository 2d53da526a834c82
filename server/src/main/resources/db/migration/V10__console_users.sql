-- Estuary schema, version 9: the web console (docs/console.md). Portable SQL, as V1: runs
-- unchanged on H2 2.x (default mode) and PostgreSQL 15+.

-- Console users: a name, a role (as admin API tokens have), the PBKDF2 hash of the password
-- (auth.PasswordHash), who made it and when, and when it was disabled (NULL while it may log in).
-- A disabled user keeps its row, so the audit log's actor "console:<name>" still names it.
CREATE TABLE console_user (
  username    VARCHAR(64)              NOT NULL,
  role        VARCHAR(16)              NOT NULL,
  hash        VARCHAR(512)             NOT NULL,
  created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
  created_by  VARCHAR(128)             NOT NULL,
  disabled_at TIMESTAMP WITH TIME ZONE,
  CONSTRAINT console_user_pk PRIMARY KEY (username),
  CONSTRAINT console_user_role_known CHECK (role IN ('admin', 'operator', 'auditor'))
);

-- The console's overview counts enrollments per hour over the last day (a range of issued_at),
-- and its certificate list without a label is ordered by expiry: both read these indexes, never
-- the whole table (1,000,000 certificates: docs/benchmarks.md, "Console").
CREATE INDEX certificate_issued_at_idx ON certificate (issued_at);
CREATE INDEX certificate_not_after_idx ON certificate (not_after);
