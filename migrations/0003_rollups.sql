-- 15-minute interval rollups: counters only, never ratios (a ratio over a longer period is
-- computed from summed counters). Rows are absolute values upserted by one writer per tenant,
-- so writing an interval twice gives the same row.
--
-- Queue rows: tenant x queue x channel x interval. The answered_within_Ns columns count the
-- contacts answered with a wait <= N s, the abandoned_within_Ns columns those abandoned with a
-- wait < N s: service level and short abandons can be recomputed for another threshold.
CREATE TABLE queue_rollups (
  tenant text NOT NULL,
  queue_id text NOT NULL,
  channel text NOT NULL,
  interval_start timestamptz NOT NULL,
  offered bigint NOT NULL,
  answered bigint NOT NULL,
  answered_in_sl bigint NOT NULL,
  abandoned bigint NOT NULL,
  short_abandoned bigint NOT NULL,
  flowed_out bigint NOT NULL,
  handled bigint NOT NULL,
  wait_answered_ms bigint NOT NULL,
  wait_abandoned_ms bigint NOT NULL,
  max_wait_ms bigint NOT NULL,
  talk_ms bigint NOT NULL,
  hold_ms bigint NOT NULL,
  acw_ms bigint NOT NULL,
  csat_sum bigint NOT NULL,
  csat_count bigint NOT NULL,
  csat_positive bigint NOT NULL,
  answered_within_10s bigint NOT NULL,
  answered_within_15s bigint NOT NULL,
  answered_within_20s bigint NOT NULL,
  answered_within_30s bigint NOT NULL,
  answered_within_45s bigint NOT NULL,
  answered_within_60s bigint NOT NULL,
  answered_within_90s bigint NOT NULL,
  answered_within_120s bigint NOT NULL,
  answered_within_180s bigint NOT NULL,
  answered_within_300s bigint NOT NULL,
  abandoned_within_3s bigint NOT NULL,
  abandoned_within_5s bigint NOT NULL,
  abandoned_within_10s bigint NOT NULL,
  abandoned_within_15s bigint NOT NULL,
  abandoned_within_20s bigint NOT NULL,
  abandoned_within_30s bigint NOT NULL,
  abandoned_within_60s bigint NOT NULL,
  written_at timestamptz NOT NULL,
  PRIMARY KEY (tenant, queue_id, channel, interval_start)
);

-- History reads a tenant's rows by time, across queues and channels.
CREATE INDEX queue_rollups_tenant_start_idx ON queue_rollups (tenant, interval_start);

-- Agent rows: tenant x agent x interval. Time in state is in ms; aux_ms holds the aux time by
-- reason ({"lunch": 600000}), aux_total_ms its sum.
CREATE TABLE agent_rollups (
  tenant text NOT NULL,
  agent_id text NOT NULL,
  interval_start timestamptz NOT NULL,
  handled bigint NOT NULL,
  talk_ms bigint NOT NULL,
  hold_ms bigint NOT NULL,
  acw_ms bigint NOT NULL,
  csat_sum bigint NOT NULL,
  csat_count bigint NOT NULL,
  csat_positive bigint NOT NULL,
  available_ms bigint NOT NULL,
  on_contact_ms bigint NOT NULL,
  acw_time_ms bigint NOT NULL,
  offline_ms bigint NOT NULL,
  aux_total_ms bigint NOT NULL,
  aux_ms jsonb NOT NULL,
  written_at timestamptz NOT NULL,
  PRIMARY KEY (tenant, agent_id, interval_start)
);

CREATE INDEX agent_rollups_tenant_start_idx ON agent_rollups (tenant, interval_start);

-- Leases: one holder at a time per name (e.g. the rollup writer of a tenant), until expires_at.
CREATE TABLE leases (
  name text PRIMARY KEY,
  holder text NOT NULL,
  expires_at timestamptz NOT NULL
);
