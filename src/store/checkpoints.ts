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
  /**
   * Saves a round of checkpoints (every tenant of a node, all at one log cursor) in one
   * transaction: a restart then resumes from one cursor with every tenant's state, or from the
   * previous round. Throws `DbUnavailableError` when the database is away.
   */
  saveRound(checkpoints: readonly Checkpoint[]): Promise<void>;
  /** Every tenant's checkpoint. */
  loadAll(): Promise<Checkpoint[]>;
}

interface CheckpointRow {
  tenant: string;
  position: string;
  state: Uint8Array;
  saved_at: number;
}

const UPSERT_SQL = `INSERT INTO checkpoints (tenant, position, state, saved_at) VALUES ($1, $2, $3, to_timestamp($4::float8 / 1000))
  ON CONFLICT (tenant) DO UPDATE SET position = EXCLUDED.position, state = EXCLUDED.state, saved_at = EXCLUDED.saved_at`;

const SELECT_SQL = 'SELECT tenant, position, state, round(extract(epoch FROM saved_at) * 1000)::float8 AS saved_at FROM checkpoints';

function fromRow(row: CheckpointRow): Checkpoint {
  // pg returns a Buffer, PGlite a Uint8Array: both are Uint8Arrays; hand out a plain one.
  return { tenant: row.tenant, position: row.position, state: new Uint8Array(row.state), savedAt: row.saved_at };
}

export function createCheckpointStore(db: Db): CheckpointStore {
  return {
    async save({ tenant, position, state, savedAt }) {
      await db.query(UPSERT_SQL, [tenant, position, state, savedAt]);
    },
    async load(tenant) {
      const { rows } = await db.query<CheckpointRow>(`${SELECT_SQL} WHERE tenant = $1`, [tenant]);
      const row = rows[0];
      return row === undefined ? null : fromRow(row);
    },
    async saveRound(checkpoints) {
      await db.transaction(async (tx) => {
        for (const { tenant, position, state, savedAt } of checkpoints) {
          await tx.query(UPSERT_SQL, [tenant, position, state, savedAt]);
        }
      });
    },
    async loadAll() {
      const { rows } = await db.query<CheckpointRow>(`${SELECT_SQL} ORDER BY tenant`);
      return rows.map(fromRow);
    },
    async tenants() {
      const { rows } = await db.query<{ tenant: string }>('SELECT tenant FROM checkpoints ORDER BY tenant');
      return rows.map((r) => r.tenant);
    },
  };
}
