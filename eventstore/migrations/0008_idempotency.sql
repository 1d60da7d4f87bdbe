-- Idempotency-Key: the first response to a POST with a key, by caller, route and key, kept 24 h
-- (api/idempotency.hpp). The response is sealed (AES-GCM under a key derived from the server's
-- secret): a login's or a registration's answer carries tokens.
CREATE TABLE lms_idempotency (
    scope        text NOT NULL,
    method       text NOT NULL,
    path         text NOT NULL,
    key          text NOT NULL,
    fingerprint  text NOT NULL,
    state        text NOT NULL,
    response     bytea,
    started_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    PRIMARY KEY (scope, method, path, key)
);
CREATE INDEX lms_idempotency_expires ON lms_idempotency (expires_at);
