-- Tenant and queue settings (SPEC §3), edited through /v1/config. A tenant or queue without a
-- row uses the defaults of src/engine/settings.ts.
CREATE TABLE tenant_settings (
  tenant text PRIMARY KEY,
  timezone text NOT NULL,
  updated_at timestamptz NOT NULL,
  updated_by text NOT NULL
);

CREATE TABLE queue_settings (
  tenant text NOT NULL,
  queue_id text NOT NULL,
  sl_threshold_sec integer NOT NULL CHECK (sl_threshold_sec BETWEEN 1 AND 3600),
  sl_target_pct double precision NOT NULL CHECK (sl_target_pct BETWEEN 0 AND 100),
  short_abandon_sec integer NOT NULL CHECK (short_abandon_sec BETWEEN 0 AND 600),
  sl_formula text NOT NULL CHECK (sl_formula IN ('excludeShortAbandons', 'allAbandons', 'answeredOnly')),
  display_name text CHECK (char_length(display_name) <= 200),
  updated_at timestamptz NOT NULL,
  updated_by text NOT NULL,
  PRIMARY KEY (tenant, queue_id)
);
