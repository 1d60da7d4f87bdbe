-- Events are immutable: the store refuses UPDATE and DELETE on them. Someone who switches this
-- off (ALTER TABLE ... DISABLE TRIGGER, session_replication_role) to edit history is what
-- `lms audit verify` is there to catch.
CREATE FUNCTION lms_events_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'lms_events is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER lms_events_append_only BEFORE UPDATE OR DELETE ON lms_events
  FOR EACH ROW EXECUTE FUNCTION lms_events_immutable();
CREATE TRIGGER lms_events_no_truncate BEFORE TRUNCATE ON lms_events
  FOR EACH STATEMENT EXECUTE FUNCTION lms_events_immutable();
