-- Crypto-shredding: one data key per person. Personal fields in events are sealed with it;
-- erasing a person destroys the key, which makes every copy of those fields unreadable — in the
-- store, in replays and on Kafka — while the events themselves stay intact.
CREATE TABLE lms_subject_keys (
    subject_id   text PRIMARY KEY,
    data_key     bytea,            -- NULL once shredded
    created_at   timestamptz NOT NULL DEFAULT now(),
    shredded_at  timestamptz
);
