-- Estuary schema, version 11: the console overview's figures kept up to date as certificates are
-- issued and revoked, so that computing them reads a few hundred rows instead of every
-- certificate (docs/benchmarks.md, "The console with 1,000,000 certificates"). Portable SQL, as
-- V1: runs unchanged on H2 2.x (default mode) and PostgreSQL 15+.

-- When the first later certificate for the same subject in the same label was issued: set by the
-- issuance that recorded that later certificate (JdbiCertificateStore), NULL while there is none.
-- "Failed to renew" (FleetStatistics) is then: expired in the last day, not revoked, renewed_at
-- NULL, a range of the index below instead of one successor look-up per expired certificate.
ALTER TABLE certificate ADD COLUMN renewed_at TIMESTAMP WITH TIME ZONE;

UPDATE certificate c SET renewed_at =
    (SELECT MIN(s.issued_at) FROM certificate s
      WHERE s.subject = c.subject AND s.label = c.label AND s.issued_at > c.issued_at)
  WHERE EXISTS (SELECT 1 FROM certificate s
      WHERE s.subject = c.subject AND s.label = c.label AND s.issued_at > c.issued_at);

-- V8's index, with renewed_at: the unrenewed certificates are counted and listed from it alone.
DROP INDEX certificate_label_expiry_idx;
CREATE INDEX certificate_label_expiry_idx ON certificate (label, not_after, revoked_at, renewed_at);

-- How many certificates of a label expire in each hour, and how many of those are revoked: the
-- census and the expiry chart are sums of these rows, plus a count of the label index over the
-- part of an hour before an instant that is not an hour's end (CertificateCensus). expiry_hour
-- is the hour whose END the certificate's notAfter is in, counted from 1970-01-01T00:00Z: notAfter
-- in ((h-1) * 3600 s, h * 3600 s], as the counts' ranges are (lo, hi]. Kept by the transaction that
-- records a certificate (one row per label and hour per batch) or revokes one; never deleted.
CREATE TABLE certificate_expiry (
  label        VARCHAR(255) NOT NULL,
  expiry_hour  BIGINT       NOT NULL,
  certificates BIGINT       NOT NULL,
  revoked      BIGINT       NOT NULL,
  CONSTRAINT certificate_expiry_pk PRIMARY KEY (label, expiry_hour)
);

-- Microseconds since the epoch (both engines keep microseconds), minus one, integer-divided by an
-- hour's (positive values: the division truncates, i.e. floors), plus one: ExpiryHours.of in Java.
INSERT INTO certificate_expiry (label, expiry_hour, certificates, revoked)
  SELECT label, h, COUNT(*), COUNT(revoked_at) FROM
    (SELECT label, revoked_at,
        (CAST(EXTRACT(EPOCH FROM not_after) * 1000000 AS BIGINT) - 1) / 3600000000 + 1 AS h
       FROM certificate) e
  GROUP BY label, h;
