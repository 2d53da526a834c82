-- Estuary schema, version 2: the DPS-compatible provisioning service. Portable SQL, as V1: runs
-- unchanged on H2 2.x (default mode) and PostgreSQL 15+. Timestamps are UTC instants. An etag is
-- an opaque string that changes on every write of its row (optimistic concurrency, If-Match).

-- CA certificates an enrollment names as its attestation. A device's chain must reach a verified
-- one: uploaded as verified, or proven by signing a certificate whose CN is verification_code.
CREATE TABLE prov_ca_certificate (
  name              VARCHAR(128)             NOT NULL,
  der               BYTEA                    NOT NULL,
  subject           VARCHAR(2048)            NOT NULL,
  sha256            VARCHAR(64)              NOT NULL,
  verified          BOOLEAN                  DEFAULT FALSE NOT NULL,
  verification_code VARCHAR(64),
  etag              VARCHAR(64)              NOT NULL,
  created_at        TIMESTAMP WITH TIME ZONE NOT NULL,
  updated_at        TIMESTAMP WITH TIME ZONE NOT NULL,
  CONSTRAINT prov_ca_certificate_pk PRIMARY KEY (name)
);

-- The IoT hubs devices may be assigned to, with their allocation weights.
CREATE TABLE prov_hub (
  host_name  VARCHAR(255)             NOT NULL,
  weight     INTEGER                  DEFAULT 1 NOT NULL,
  created_at TIMESTAMP WITH TIME ZONE NOT NULL,
  CONSTRAINT prov_hub_pk PRIMARY KEY (host_name),
  CONSTRAINT prov_hub_weight_positive CHECK (weight >= 1)
);

-- Enrollment groups (kind 'group', id = the group id) and individual enrollments (kind
-- 'individual', id = the registration id) share one shape.
CREATE TABLE prov_enrollment (
  kind                  VARCHAR(16)              NOT NULL,
  id                    VARCHAR(128)             NOT NULL,
  ca_certificate        VARCHAR(128)             NOT NULL,
  -- individual enrollments only; NULL assigns the registration id as the device id
  device_id             VARCHAR(128),
  iot_edge              BOOLEAN                  NOT NULL,
  enabled               BOOLEAN                  NOT NULL,
  allocation_policy     VARCHAR(32)              NOT NULL,
  -- comma-separated hub host names; empty means every linked hub
  iot_hubs              VARCHAR(8192)            NOT NULL,
  -- a JSON object handed to the device as registrationState.payload, or NULL
  initial_twin          VARCHAR(65536),
  update_hub_assignment BOOLEAN                  NOT NULL,
  migrate_device_data   BOOLEAN                  NOT NULL,
  -- the EST label that signs a CSR sent with a registration, or NULL (no issuance)
  certificate_label     VARCHAR(255),
  etag                  VARCHAR(64)              NOT NULL,
  created_at            TIMESTAMP WITH TIME ZONE NOT NULL,
  updated_at            TIMESTAMP WITH TIME ZONE NOT NULL,
  CONSTRAINT prov_enrollment_pk PRIMARY KEY (kind, id),
  CONSTRAINT prov_enrollment_kind CHECK (kind IN ('group', 'individual')),
  CONSTRAINT prov_enrollment_ca_fk FOREIGN KEY (ca_certificate) REFERENCES prov_ca_certificate (name)
);

-- One record per registration id: where the device was assigned, and with which certificate.
CREATE TABLE prov_registration (
  registration_id    VARCHAR(128)             NOT NULL,
  enrollment_kind    VARCHAR(16)              NOT NULL,
  enrollment_id      VARCHAR(128)             NOT NULL,
  device_id          VARCHAR(128)             NOT NULL,
  assigned_hub       VARCHAR(255)             NOT NULL,
  substatus          VARCHAR(64)              NOT NULL,
  certificate_der    BYTEA                    NOT NULL,
  certificate_sha256 VARCHAR(64)              NOT NULL,
  etag               VARCHAR(64)              NOT NULL,
  created_at         TIMESTAMP WITH TIME ZONE NOT NULL,
  last_updated_at    TIMESTAMP WITH TIME ZONE NOT NULL,
  CONSTRAINT prov_registration_pk PRIMARY KEY (registration_id)
);

CREATE INDEX prov_registration_enrollment_idx ON prov_registration (enrollment_kind, enrollment_id);
CREATE INDEX prov_registration_hub_idx ON prov_registration (assigned_hub);

-- Registration operations a device polls: the complete answer, so that any replica serves it.
CREATE TABLE prov_operation (
  operation_id    VARCHAR(64)              NOT NULL,
  registration_id VARCHAR(128)             NOT NULL,
  created_at      TIMESTAMP WITH TIME ZONE NOT NULL,
  answer          VARCHAR(65536)           NOT NULL,
  CONSTRAINT prov_operation_pk PRIMARY KEY (operation_id)
);

CREATE INDEX prov_operation_created_idx ON prov_operation (created_at);
