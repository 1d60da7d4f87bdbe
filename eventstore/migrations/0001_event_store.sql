-- The event store: the single source of truth. Never edit a released migration; add a new one.

CREATE TABLE lms_streams (
    stream_id  text PRIMARY KEY,
    version    bigint NOT NULL,
    last_hash  bytea NOT NULL
);

CREATE TABLE lms_events (
    position        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- The writing transaction's id. Readers order by (tx_id, position) and read only below the
    -- oldest transaction still running, so that an event is never handed out before an event
    -- that precedes it can still commit (see docs/decisions/0002-gapless-global-order.md).
    tx_id           xid8 NOT NULL DEFAULT pg_current_xact_id(),
    stream_id       text NOT NULL,
    stream_version  bigint NOT NULL,
    event_id        uuid NOT NULL UNIQUE,
    event_type      text NOT NULL,
    schema_version  int NOT NULL,
    data            jsonb NOT NULL,
    metadata        jsonb NOT NULL,
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    -- sha256(previous event's hash in this stream || canonical form of this event)
    hash            bytea NOT NULL,
    UNIQUE (stream_id, stream_version)
);
CREATE INDEX lms_events_global_order ON lms_events (tx_id, position);

-- The canonical bytes an event's hash covers. lms audit verify recomputes it outside the database.
CREATE FUNCTION lms_event_canonical(p_stream text, p_version bigint, p_event_id uuid, p_type text,
                                    p_schema int, p_data jsonb, p_metadata jsonb, p_recorded_at timestamptz)
RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
  SELECT convert_to(p_stream || E'\n' || p_version || E'\n' || p_event_id || E'\n' || p_type || E'\n' ||
                    p_schema || E'\n' || p_data::text || E'\n' || p_metadata::text || E'\n' ||
                    (extract(epoch FROM p_recorded_at) * 1000000)::bigint, 'UTF8')
$$;

-- Appends events to one stream atomically.
--   p_expected: -1 any version, 0 the stream must not exist, n > 0 the stream must be at version n.
--   p_events:   [{"id": uuid, "type": text, "schemaVersion": int, "data": {...}, "metadata": {...}}, ...]
-- Returns one row: status 0 appended, 1 already appended (every event id was stored before, in
-- this stream: an idempotent retry), 2 wrong expected version, 3 an event id is stored elsewhere.
-- version is the stream's version after the call (or its current one on status 2).
CREATE FUNCTION lms_append(p_stream text, p_expected bigint, p_events jsonb)
RETURNS TABLE (status int, version bigint, last_position bigint, last_tx_id xid8)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_current bigint;
  v_hash bytea;
  v_event jsonb;
  v_known int;
  v_known_here int;
  v_count int := jsonb_array_length(p_events);
  v_now timestamptz := now();
  v_canon bytea;
  v_id uuid;
BEGIN
  SELECT count(*), count(*) FILTER (WHERE e.stream_id = p_stream), max(e.stream_version)
    INTO v_known, v_known_here, v_current
    FROM lms_events e
   WHERE e.event_id IN (SELECT (x->>'id')::uuid FROM jsonb_array_elements(p_events) x);
  IF v_known > 0 THEN
    IF v_known = v_count AND v_known_here = v_count THEN
      RETURN QUERY SELECT 1, v_current, NULL::bigint, NULL::xid8;
    ELSE
      RETURN QUERY SELECT 3, v_current, NULL::bigint, NULL::xid8;
    END IF;
    RETURN;
  END IF;

  IF p_expected = 0 THEN
    INSERT INTO lms_streams AS s (stream_id, version, last_hash) VALUES (p_stream, 0, ''::bytea)
    ON CONFLICT (stream_id) DO NOTHING;
    IF NOT FOUND THEN
      SELECT s.version INTO v_current FROM lms_streams s WHERE s.stream_id = p_stream;
      RETURN QUERY SELECT 2, v_current, NULL::bigint, NULL::xid8;
      RETURN;
    END IF;
    v_current := 0;
    v_hash := ''::bytea;
  ELSE
    IF p_expected < 0 THEN
      INSERT INTO lms_streams AS s (stream_id, version, last_hash) VALUES (p_stream, 0, ''::bytea)
      ON CONFLICT (stream_id) DO NOTHING;
    END IF;
    SELECT s.version, s.last_hash INTO v_current, v_hash FROM lms_streams s WHERE s.stream_id = p_stream FOR UPDATE;
    IF NOT FOUND THEN
      RETURN QUERY SELECT 2, 0::bigint, NULL::bigint, NULL::xid8;
      RETURN;
    END IF;
    IF p_expected > 0 AND v_current <> p_expected THEN
      RETURN QUERY SELECT 2, v_current, NULL::bigint, NULL::xid8;
      RETURN;
    END IF;
  END IF;

  FOR v_event IN SELECT * FROM jsonb_array_elements(p_events) LOOP
    v_current := v_current + 1;
    v_id := (v_event->>'id')::uuid;
    v_canon := lms_event_canonical(p_stream, v_current, v_id, v_event->>'type',
                                   (v_event->>'schemaVersion')::int, v_event->'data', v_event->'metadata', v_now);
    v_hash := sha256(v_hash || v_canon);
    INSERT INTO lms_events (stream_id, stream_version, event_id, event_type, schema_version, data, metadata,
                            recorded_at, hash)
    VALUES (p_stream, v_current, v_id, v_event->>'type', (v_event->>'schemaVersion')::int, v_event->'data',
            v_event->'metadata', v_now, v_hash)
    RETURNING lms_events.position INTO last_position;
  END LOOP;

  UPDATE lms_streams s SET version = v_current, last_hash = v_hash WHERE s.stream_id = p_stream;
  PERFORM pg_notify('lms_events', '');
  RETURN QUERY SELECT 0, v_current, last_position, pg_current_xact_id();
END
$$;

-- Where each consumer of the global order (the relay, every projection) has got to.
CREATE TABLE lms_checkpoints (
    name        text PRIMARY KEY,
    tx_id       xid8 NOT NULL DEFAULT '0',
    position    bigint NOT NULL DEFAULT 0,
    version     int NOT NULL DEFAULT 0,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
