/**
 * Checkpoints: the latest engine state of each tenant with the log position it includes. The
 * engine serialises its state; this module only stores and loads the bytes.
 */
import type { Db } from './db.js';

export interface Checkpoint {
  tenant: string;
  /** The log position the state includes: replay resumes after it. */
  position: string;
  state: Uint8Array;
  /** Epoch ms. */
  savedAt: number;
}

export interface CheckpointStore {
  /** Replaces the tenant's checkpoint. Throws `DbUnavailableError` when the database is away. */
  save(checkpoint: Checkpoint): Promise<void>;
  /** The tenant's checkpoint, or null when it has none. */
  load(tenant: string): Promise<Checkpoint | null>;
  /** The tenants that have a checkpoint, sorted. */
  tenants(): Promise<string[]>;
}

interface CheckpointRow {
  tenant: string;
  position: string;
  state: Uint8Array;
  saved_at: number;
}

export function createCheckpointStore(db: Db): CheckpointStore {
  return {
    async save({ tenant, position, state, savedAt }) {
      await db.query(
        `INSERT INTO checkpoints (tenant, position, state, saved_at) VALUES ($1, $2, $3, to_timestamp($4::float8 / 1000))
         ON CONFLICT (tenant) DO UPDATE SET position = EXCLUDED.position, state = EXCLUDED.state, saved_at = EXCLUDED.saved_at`,
        [tenant, position, state, savedAt],
      );
    },
    async load(tenant) {
      const { rows } = await db.query<CheckpointRow>(
        `SELECT tenant, position, state, round(extract(epoch FROM saved_at) * 1000)::float8 AS saved_at FROM checkpoints WHERE tenant = $1`,
        [tenant],
      );
      const row = rows[0];
      if (row === undefined) return null;
      // pg returns a Buffer, PGlite a Uint8Array: both are Uint8Arrays; hand out a plain one.
      return { tenant: row.tenant, position: row.position, state: new Uint8Array(row.state), savedAt: row.saved_at };
    },
    async tenants() {
      const { rows } = await db.query<{ tenant: string }>('SELECT tenant FROM checkpoints ORDER BY tenant');
      return rows.map((r) => r.tenant);
    },
  };
}
