-- Retention of the events archive deletes by event time across tenants, in batches.
CREATE INDEX events_ts_idx ON events (ts);
