-- Saved report definitions (admins) and their runs (supervisors and admins). A run keeps its
-- result, so reading it again (JSON, CSV or PDF) gives the same figures.
CREATE TABLE report_definitions (
  id uuid PRIMARY KEY,
  tenant text NOT NULL,
  name text NOT NULL,
  definition jsonb NOT NULL,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL
);

CREATE INDEX report_definitions_tenant_idx ON report_definitions (tenant, created_at);

CREATE TABLE report_runs (
  id uuid PRIMARY KEY,
  report_id uuid NOT NULL REFERENCES report_definitions (id) ON DELETE CASCADE,
  tenant text NOT NULL,
  run_by text NOT NULL,
  started_at timestamptz NOT NULL,
  duration_ms double precision NOT NULL,
  row_count integer NOT NULL,
  status text NOT NULL CHECK (status IN ('succeeded', 'failed')),
  error text,
  -- The queues the run could see (null: all of the tenant's), so a reader with a narrower
  -- `queues` claim is not shown it.
  scope text[],
  result jsonb,
  CHECK ((status = 'succeeded') = (result IS NOT NULL))
);

CREATE INDEX report_runs_report_idx ON report_runs (tenant, report_id, started_at);
