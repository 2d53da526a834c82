-- The metrics' certificate census (CertificateCensus): counts by label, status and expiry in one
-- query every 30 s, read from this index alone (label, not_after, revoked_at), never from the rows.
CREATE INDEX certificate_label_expiry_idx ON certificate (label, not_after, revoked_at);
