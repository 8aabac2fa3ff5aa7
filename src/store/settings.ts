/**
 * Tenant and queue settings (SPEC §3) in tenant_settings and queue_settings. A tenant without a
 * row has the default timezone; a queue without a row, the default queue settings. Every change
 * is announced on `changes`, so the node can hand the new settings to the live engine.
 */
import { Subject, type Observable } from 'rxjs';
import { DEFAULT_QUEUE_SETTINGS, DEFAULT_TENANT_SETTINGS, type QueueSettings, type TenantSettings } from '../engine/index.js';
import type { SlFormula } from '../protocol/index.js';
import type { Db } from './db.js';
import { isoColumn } from './sql.js';
import type { Clock } from './types.js';

/** Who changed a setting and when (null while the defaults apply). */
export interface Provenance {
  /** ISO time. */
  updatedAt: string | null;
  updatedBy: string | null;
}

export interface TenantConfig extends Provenance {
  timezone: string;
}

export interface QueueConfig extends Provenance {
  queueId: string;
  slThresholdSec: number;
  slTargetPct: number;
  shortAbandonSec: number;
  slFormula: SlFormula;
  displayName: string | null;
}

export type QueueConfigInput = Omit<QueueConfig, keyof Provenance | 'queueId'>;

export interface SettingsChange {
  tenant: string;
  /** The tenant's whole settings after the change. */
  settings: TenantSettings;
}

export interface SettingsStore {
  /** The settings the engine and history use for a tenant. */
  loadTenantSettings(tenant: string): Promise<TenantSettings>;
  /** Every tenant that has stored settings, for start-up. */
  loadAllTenantSettings(): Promise<Map<string, TenantSettings>>;
  getTenant(tenant: string): Promise<TenantConfig>;
  /** The timezone must have been checked (assertTimezone). */
  putTenant(tenant: string, timezone: string, by: string): Promise<TenantConfig>;
  getQueue(tenant: string, queueId: string): Promise<QueueConfig>;
  putQueue(tenant: string, queueId: string, input: QueueConfigInput, by: string): Promise<QueueConfig>;
  /** One value per successful put, after it committed (on this node). */
  readonly changes: Observable<SettingsChange>;
}

interface TenantRow {
  tenant: string;
  timezone: string;
  updated_at: string;
  updated_by: string;
}

interface QueueRow {
  tenant: string;
  queue_id: string;
  sl_threshold_sec: number;
  sl_target_pct: number;
  short_abandon_sec: number;
  sl_formula: SlFormula;
  display_name: string | null;
  updated_at: string;
  updated_by: string;
}

const TENANT_COLUMNS = `tenant, timezone, ${isoColumn('updated_at')}, updated_by`;
const QUEUE_COLUMNS = `tenant, queue_id, sl_threshold_sec, sl_target_pct, short_abandon_sec, sl_formula, display_name, ${isoColumn('updated_at')}, updated_by`;

function queueConfig(row: QueueRow): QueueConfig {
  return {
    queueId: row.queue_id,
    slThresholdSec: row.sl_threshold_sec,
    slTargetPct: row.sl_target_pct,
    shortAbandonSec: row.short_abandon_sec,
    slFormula: row.sl_formula,
    displayName: row.display_name,
    updatedAt: row.updated_at,
    updatedBy: row.updated_by,
  };
}

function queueSettings(row: QueueRow): QueueSettings {
  const s: QueueSettings = {
    slThresholdSec: row.sl_threshold_sec,
    slTargetPct: row.sl_target_pct,
    shortAbandonSec: row.short_abandon_sec,
    slFormula: row.sl_formula,
  };
  if (row.display_name !== null) s.displayName = row.display_name;
  return s;
}

function assemble(timezone: string | undefined, queues: readonly QueueRow[]): TenantSettings {
  const settings: TenantSettings = { timezone: timezone ?? DEFAULT_TENANT_SETTINGS.timezone, queues: {} };
  for (const q of queues) settings.queues[q.queue_id] = queueSettings(q);
  return settings;
}

export function createSettingsStore({ db, clock }: { db: Db; clock: Clock }): SettingsStore {
  const changes = new Subject<SettingsChange>();

  async function loadTenantSettings(tenant: string): Promise<TenantSettings> {
    const [t, q] = await Promise.all([
      db.query<TenantRow>(`SELECT ${TENANT_COLUMNS} FROM tenant_settings WHERE tenant = $1`, [tenant]),
      db.query<QueueRow>(`SELECT ${QUEUE_COLUMNS} FROM queue_settings WHERE tenant = $1 ORDER BY queue_id`, [tenant]),
    ]);
    return assemble(t.rows[0]?.timezone, q.rows);
  }

  async function announce(tenant: string): Promise<void> {
    changes.next({ tenant, settings: await loadTenantSettings(tenant) });
  }

  return {
    loadTenantSettings,
    async loadAllTenantSettings() {
      const [t, q] = await Promise.all([
        db.query<TenantRow>(`SELECT ${TENANT_COLUMNS} FROM tenant_settings`),
        db.query<QueueRow>(`SELECT ${QUEUE_COLUMNS} FROM queue_settings ORDER BY tenant, queue_id`),
      ]);
      const tenants = new Set([...t.rows.map((r) => r.tenant), ...q.rows.map((r) => r.tenant)]);
      const all = new Map<string, TenantSettings>();
      for (const tenant of [...tenants].sort()) {
        all.set(
          tenant,
          assemble(
            t.rows.find((r) => r.tenant === tenant)?.timezone,
            q.rows.filter((r) => r.tenant === tenant),
          ),
        );
      }
      return all;
    },
    async getTenant(tenant) {
      const { rows } = await db.query<TenantRow>(`SELECT ${TENANT_COLUMNS} FROM tenant_settings WHERE tenant = $1`, [tenant]);
      const row = rows[0];
      return row === undefined
        ? { timezone: DEFAULT_TENANT_SETTINGS.timezone, updatedAt: null, updatedBy: null }
        : { timezone: row.timezone, updatedAt: row.updated_at, updatedBy: row.updated_by };
    },
    async putTenant(tenant, timezone, by) {
      const { rows } = await db.query<TenantRow>(
        `INSERT INTO tenant_settings (tenant, timezone, updated_at, updated_by) VALUES ($1, $2, to_timestamp($3::float8 / 1000), $4)
         ON CONFLICT (tenant) DO UPDATE SET timezone = EXCLUDED.timezone, updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by
         RETURNING ${TENANT_COLUMNS}`,
        [tenant, timezone, clock.now(), by],
      );
      const row = rows[0]!;
      await announce(tenant);
      return { timezone: row.timezone, updatedAt: row.updated_at, updatedBy: row.updated_by };
    },
    async getQueue(tenant, queueId) {
      const { rows } = await db.query<QueueRow>(`SELECT ${QUEUE_COLUMNS} FROM queue_settings WHERE tenant = $1 AND queue_id = $2`, [tenant, queueId]);
      const row = rows[0];
      if (row !== undefined) return queueConfig(row);
      const d = DEFAULT_QUEUE_SETTINGS;
      return {
        queueId,
        slThresholdSec: d.slThresholdSec,
        slTargetPct: d.slTargetPct,
        shortAbandonSec: d.shortAbandonSec,
        slFormula: d.slFormula,
        displayName: null,
        updatedAt: null,
        updatedBy: null,
      };
    },
    async putQueue(tenant, queueId, input, by) {
      const { rows } = await db.query<QueueRow>(
        `INSERT INTO queue_settings (tenant, queue_id, sl_threshold_sec, sl_target_pct, short_abandon_sec, sl_formula, display_name, updated_at, updated_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, to_timestamp($8::float8 / 1000), $9)
         ON CONFLICT (tenant, queue_id) DO UPDATE SET sl_threshold_sec = EXCLUDED.sl_threshold_sec, sl_target_pct = EXCLUDED.sl_target_pct,
           short_abandon_sec = EXCLUDED.short_abandon_sec, sl_formula = EXCLUDED.sl_formula, display_name = EXCLUDED.display_name,
           updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by
         RETURNING ${QUEUE_COLUMNS}`,
        [tenant, queueId, input.slThresholdSec, input.slTargetPct, input.shortAbandonSec, input.slFormula, input.displayName, clock.now(), by],
      );
      await announce(tenant);
      return queueConfig(rows[0]!);
    },
    changes: changes.asObservable(),
  };
}
