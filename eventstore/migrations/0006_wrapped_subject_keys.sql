-- Data keys are stored wrapped by a master key (LMS_MASTER_KEY), so that a key shredded from
-- this table cannot be read back from a dead tuple, the WAL or a backup without the master key
-- (docs/decisions/0012-key-wrapping.md). kek_id names the master key that wrapped data_key;
-- NULL means data_key was stored in clear, before this migration: `lms serve` wraps those at start.
ALTER TABLE lms_subject_keys ADD COLUMN kek_id text;

-- What is left to wrap, found without reading the whole table at every start.
CREATE INDEX lms_subject_keys_clear ON lms_subject_keys (subject_id) WHERE data_key IS NOT NULL AND kek_id IS NULL;
