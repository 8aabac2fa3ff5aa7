-- The latest checkpoint of each tenant's engine: its state (serialised by the engine) and the
-- log position it includes. A starting node loads it and replays the log after `position`.
CREATE TABLE checkpoints (
  tenant text PRIMARY KEY,
  position text NOT NULL,
  state bytea NOT NULL,
  saved_at timestamptz NOT NULL
);
