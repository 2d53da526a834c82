-- Estuary schema, version 5: the audit log. Portable SQL (H2 2.x and PostgreSQL 15+).
--
-- Every security-relevant change appends one row here in the SAME transaction as the change
-- (dev.estuary.server.audit.AuditLog). Rows form a hash chain: record_hash = SHA-256 over the
-- row's canonical fields (AuditChain.hash) and prev_hash, the hash of the row before it (id - 1).
-- A changed, deleted or reordered row breaks the chain; `estuary server audit verify` finds it.
--
-- audit_head holds the chain's head (last id, last hash) in ONE row. An appending transaction
-- locks it (SELECT ... FOR UPDATE) as its last statement before the commit, so ids are dense and
-- the chain linear even with several replicas on one database; the lock is held only from the
-- append to the commit. The head also makes a deleted tail detectable.
CREATE TABLE audit_log (
  id          BIGINT                   NOT NULL,
  occurred_at TIMESTAMP WITH TIME ZONE NOT NULL,
  event       VARCHAR(64)              NOT NULL,
  actor       VARCHAR(300)             NOT NULL,
  label       VARCHAR(255),
  subject     VARCHAR(2048),
  serial      VARCHAR(64),
  details     VARCHAR(16000)           NOT NULL,
  prev_hash   CHAR(64)                 NOT NULL,
  record_hash CHAR(64)                 NOT NULL,
  CONSTRAINT audit_log_pk PRIMARY KEY (id)
);

-- A device's history: by serial and by subject. Other filters (event, actor, time) walk the
-- primary key in id order: each index here costs every issuance a write.
CREATE INDEX audit_log_serial_idx ON audit_log (serial);
CREATE INDEX audit_log_subject_idx ON audit_log (subject);

CREATE TABLE audit_head (
  id        INTEGER  NOT NULL,
  last_id   BIGINT   NOT NULL,
  last_hash CHAR(64) NOT NULL,
  CONSTRAINT audit_head_pk PRIMARY KEY (id)
);

INSERT INTO audit_head (id, last_id, last_hash)
  VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
