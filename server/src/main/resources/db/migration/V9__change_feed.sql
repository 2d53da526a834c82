-- Estuary schema, version 9: the change feed replicas sharing the database use to keep their
-- caches coherent (store.ChangeFeed). Portable SQL, as V1: runs unchanged on H2 2.x and PostgreSQL.

-- One row per topic; each change that another replica may have cached bumps its topic's version
-- in the change's own transaction (on PostgreSQL a NOTIFY estuary_changes, '<topic>' goes with it).
-- A replica reads these few rows by primary key to find what changed when no notification can
-- reach it (H2, or its listener connection is down).
CREATE TABLE change_counter (
  topic   VARCHAR(32) NOT NULL,
  version BIGINT      NOT NULL,
  CONSTRAINT change_counter_pk PRIMARY KEY (topic)
);

INSERT INTO change_counter (topic, version) VALUES ('revocation', 0);
INSERT INTO change_counter (topic, version) VALUES ('device', 0);
INSERT INTO change_counter (topic, version) VALUES ('credential', 0);
INSERT INTO change_counter (topic, version) VALUES ('token', 0);
INSERT INTO change_counter (topic, version) VALUES ('enrollment', 0);
INSERT INTO change_counter (topic, version) VALUES ('ca-certificate', 0);
INSERT INTO change_counter (topic, version) VALUES ('hub', 0);
INSERT INTO change_counter (topic, version) VALUES ('binding', 0);
