/**
 * Leases: one holder at a time for a name (e.g. "rollups:acme"), across nodes, until it expires
 * unless renewed. The rollup writer takes one per tenant so that only one node writes a tenant's
 * rows; a Redis lease can stand in for this table-backed one behind the same interface.
 */
import type { Db } from './db.js';
import type { Clock } from './types.js';

export interface Lease {
  /** Takes the lease, or renews it when held; false when another holder has it. */
  acquire(): Promise<boolean>;
  /** Gives the lease up (when held), so another holder may take it at once. */
  release(): Promise<void>;
}

export interface DbLeaseOptions {
  db: Db;
  name: string;
  /** This holder's id, unique per node (and per process). */
  holder: string;
  /** How long the lease lasts after each acquire. */
  ttlMs: number;
  /**
   * Expiry is told by the holders' clocks, not the database's, so tests can use virtual time;
   * nodes' clocks must agree to well within `ttlMs` (NTP does).
   */
  clock: Clock;
}

/** Taken when free, expired, or already ours; the row's expiry moves forward each time. */
const ACQUIRE_SQL = `
INSERT INTO leases (name, holder, expires_at) VALUES ($1, $2, to_timestamp($3::float8 / 1000))
ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
WHERE leases.holder = EXCLUDED.holder OR leases.expires_at <= to_timestamp($4::float8 / 1000)
RETURNING holder`;

/** A lease held as a row of the `leases` table. */
export function createDbLease({ db, name, holder, ttlMs, clock }: DbLeaseOptions): Lease {
  if (!(ttlMs > 0)) throw new RangeError(`lease ttlMs must be positive, got ${ttlMs}`);
  return {
    async acquire() {
      const now = clock.now();
      const { rows } = await db.query(ACQUIRE_SQL, [name, holder, now + ttlMs, now]);
      return rows.length === 1;
    },
    async release() {
      await db.query('DELETE FROM leases WHERE name = $1 AND holder = $2', [name, holder]);
    },
  };
}
