-- The events table: the event log when the hub runs on Postgres alone (one node; PGlite in the
-- embedded default), and the archive of raw events in every mode.
--   seq   the log position: rows are appended by one writer per node, so seq order is commit order
--   body  the whole event as accepted (ts normalised to epoch ms); the other columns are for
--         dedupe (tenant, id) and for reading by time (tenant, ts)
CREATE TABLE events (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant text NOT NULL,
  id text NOT NULL,
  type text NOT NULL,
  ts timestamptz NOT NULL,
  body jsonb NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT events_tenant_id_key UNIQUE (tenant, id)
);

CREATE INDEX events_tenant_ts_idx ON events (tenant, ts);
