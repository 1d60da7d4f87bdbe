-- Uniqueness across streams (an email, a course slug): a reservation row written in the same
-- transaction as the append that claims the value. Values are stored as sha256 hex digests so that
-- a reservation holds no personal data in clear; erasure deletes the row.
CREATE TABLE lms_reservations (
    scope       text NOT NULL,
    value_hash  text NOT NULL,
    owner       text NOT NULL,   -- the stream that holds it
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, value_hash)
);
CREATE INDEX lms_reservations_owner ON lms_reservations (owner);
