import {
  asyncScheduler,
  filter,
  groupBy,
  interval,
  merge,
  mergeMap,
  Observable,
  share,
  throttle,
  timer,
  type SchedulerLike,
} from 'rxjs';
import type { HubEvent } from '../events/index.js';
import type { MergePatch, Snapshot, Topic } from '../protocol/index.js';
import { diffMergePatch } from '../protocol/merge-patch.js';
import { coalesceBursts } from './coalesce-bursts.js';
import type { TenantCheckpoint } from './checkpoint.js';
import type { RollupBatch } from './rollups.js';
import { TenantEngine, type CollectOptions, type TenantEngineOptions } from './tenant-engine.js';

/**
 * Events of one tenant read (decoded) before they are applied, in `applyBurst`: batches are read
 * until they hold this many, then applied. Decoding a run of batches, then applying it, kept the
 * tenant's state in cache while it applied (engine benchmark: pipeline ×1.053, ahead in 11 of 12
 * rounds, docs/benchmarks.md); a run stays young garbage soon after, where decoding a whole read
 * up front (all one tenant's, on a hub with one) would have its events outlive young-generation
 * collections.
 */
const DECODE_AHEAD = 2048;

/** A batch of one tenant's events as it comes off the event log. */
export interface EventBatch {
  tenant: string;
  /** Log position of the batch (opaque). */
  position: string;
  events: readonly HubEvent[];
  /**
   * When the batch is applied, in engine time: set it to the record's append time when replaying
   * the log, so a replay places everything exactly as the live run did. Default: now.
   */
  at?: number;
  /**
   * Called once the batch is applied, with its number of events (for whoever delivers it, for
   * its bookkeeping). The engine reads `events` once, so they may be produced on that read.
   */
  applied?: (events: number) => void;
}

export interface TopicChange {
  topic: Topic;
  /** Position of this topic's previous update (or of the snapshot a subscriber was given). */
  prev: string;
  /** RFC 7396 patch to the topic's object; null when the object was removed. */
  changes: MergePatch | null;
}

/** One conflated emission of a view: its new snapshot and what changed per topic. */
export interface ViewUpdate {
  tenant: string;
  view: string;
  position: string;
  snapshot: Snapshot;
  changes: TopicChange[];
}

export interface LiveEngineOptions {
  /** Supplies time (scheduler.now()) and runs ticks and conflation; a TestScheduler in tests. */
  scheduler?: SchedulerLike;
  /** Time-driven refresh period (default 1 s). */
  tickMs?: number;
  /** At most one update per view per interval; the first after a quiet period goes at once (default 250 ms). */
  updateIntervalMs?: number;
  /**
   * Most of a saturated process's time that refreshing views may take, as measured around the
   * refresh (default 0.05; collecting the views' garbage later about doubles it): past it the
   * conflation interval stretches. See `conflationInterval`.
   */
  viewBudget?: number;
  /** How busy the process is, 0..1 (default: event-loop utilisation over the latest 250 ms or more). */
  load?: () => number;
  /** Per-tenant engine options (settings, lateness). */
  tenantOptions?: (tenant: string) => Omit<TenantEngineOptions, 'tenant' | 'now'>;
}

/**
 * The conflation interval: `updateIntervalMs`, stretched when the process is busy (a backlog, a
 * replay, a burst) so that refreshing every tenant's views once per interval (`refreshMs`, all
 * tenants together) takes at most `viewBudget` of its time, in proportion to how busy it is
 * (`load`, 0..1). Events are applied first; updates stay whole and current, only less frequent.
 * An idle process keeps the configured interval however many views it refreshes.
 */
export function conflationInterval(updateIntervalMs: number, refreshMs: number, viewBudget: number, load: number): number {
  return Math.max(updateIntervalMs, Math.ceil((refreshMs / viewBudget) * Math.min(1, Math.max(0, load))));
}

/**
 * What refreshing every viewed tenant once costs: the measured tenants' costs (`measuredMs`, of
 * `measured` tenants), plus their mean for each of the `viewed` tenants not measured yet. Counting
 * only the measured ones, the first refreshes after a start (every tenant's at once) set short
 * intervals, and most tenants refreshed again at once, at about twice the budget.
 */
export function refreshAllMs(measuredMs: number, measured: number, viewed: number): number {
  if (measured === 0) return 0;
  return measuredMs + (Math.max(0, viewed - measured) * measuredMs) / measured;
}

/** Event-loop utilisation over windows of at least 250 ms (an update interval): the latest complete window's. */
function eventLoopLoad(): () => number {
  let mark = performance.eventLoopUtilization();
  let load = 0;
  return () => {
    const since = performance.eventLoopUtilization(mark);
    if (since.idle + since.active >= 250) {
      load = since.utilization;
      mark = performance.eventLoopUtilization();
    }
    return load;
  };
}

/** The view of all queues; a `queues` claim gets a view of its own. */
const ALL_QUEUES_VIEW = '*';

export function viewKey(queues: readonly string[] | null): string {
  return queues === null ? ALL_QUEUES_VIEW : [...new Set(queues)].sort().join(',');
}

interface View {
  key: string;
  queues: string[] | null;
  refs: number;
  snapshot: Snapshot;
  /** Engine version the snapshot was built at, and its time second (time-driven figures). */
  builtVersion: number;
  builtAt: number;
  seq: number;
  createdPosition: string;
  topicPositions: Map<string, string>;
}

/** What a subscriber is given: the topic's object as last emitted, and its position. */
export interface TopicState {
  position: string;
  value: unknown;
}

/**
 * All tenants' engines composed with RxJS: the log's batches are applied in plain code, a tick
 * refreshes time-driven figures, and each view emits conflated merge patches per topic.
 */
export class LiveEngine {
  private readonly engines = new Map<string, TenantEngine>();
  private readonly views = new Map<string, Map<string, View>>();
  private readonly scheduler: SchedulerLike;
  private readonly tickMs: number;
  private readonly updateIntervalMs: number;
  private readonly tenantOptions: LiveEngineOptions['tenantOptions'];
  private timeHeld = false;
  /** Recent cost (ms, moving average) of refreshing each tenant's views, and their sum. */
  private readonly refreshCostMs = new Map<string, number>();
  private refreshTotalMs = 0;
  private readonly viewBudget: number;
  private readonly load: () => number;

  constructor(opts: LiveEngineOptions = {}) {
    this.scheduler = opts.scheduler ?? asyncScheduler;
    this.tickMs = opts.tickMs ?? 1000;
    this.updateIntervalMs = opts.updateIntervalMs ?? 250;
    this.tenantOptions = opts.tenantOptions;
    this.viewBudget = opts.viewBudget ?? 0.05;
    this.load = opts.load ?? eventLoopLoad();
  }

  /** The conflation interval now (see `conflationInterval`). */
  conflationMs(): number {
    const refreshMs = refreshAllMs(this.refreshTotalMs, this.refreshCostMs.size, this.views.size);
    return conflationInterval(this.updateIntervalMs, refreshMs, this.viewBudget, this.load());
  }

  now(): number {
    return this.scheduler.now();
  }

  /** The tenant's engine, created on first use (at time `at`, default now). */
  tenant(id: string, at?: number): TenantEngine {
    let e = this.engines.get(id);
    if (!e) {
      e = new TenantEngine({ ...(this.tenantOptions?.(id) ?? {}), tenant: id, now: at ?? this.now() });
      this.engines.set(id, e);
    }
    return e;
  }

  tenants(): IterableIterator<TenantEngine> {
    return this.engines.values();
  }

  /**
   * Applies a burst of batches (one log read), tenant by tenant: a tenant's batches keep their
   * order, and applying them together keeps its state hot in cache. Its batches are read (their
   * events decoded) a run of about DECODE_AHEAD events at a time, then applied: decoding between
   * batches (JSON.parse, its allocations and string-table lookups) evicted the tenant's state from
   * the cache. Returns the tenants touched.
   *
   * The burst's array is taken over and emptied, and each batch (and its decoded events) is let go
   * once applied: a read's batches die young as the burst goes on. Held to the burst's end, every
   * batch of a read outlived the young-generation collections during it and was copied, then
   * promoted (docs/benchmarks.md).
   */
  applyBurst(batches: EventBatch[]): string[] {
    if (batches.length === 1) {
      const only = batches.pop()!;
      this.applyBatch(only);
      return [only.tenant];
    }
    const byTenant = new Map<string, (EventBatch | null)[]>();
    for (const b of batches) {
      const list = byTenant.get(b.tenant);
      if (list) list.push(b);
      else byTenant.set(b.tenant, [b]);
    }
    batches.length = 0;
    const events: (readonly HubEvent[] | null)[] = [];
    for (const list of byTenant.values()) {
      for (let from = 0; from < list.length; ) {
        let to = from;
        let read = 0;
        while (to < list.length && read < DECODE_AHEAD) {
          const e = (events[to - from] = list[to]!.events);
          read += e.length;
          to++;
        }
        for (let i = from; i < to; i++) {
          this.applyEvents(list[i]!, events[i - from]!);
          list[i] = null;
          events[i - from] = null;
        }
        from = to;
      }
    }
    return [...byTenant.keys()];
  }

  /** Applies a batch: plain code, no allocation per event beyond the engine's own. */
  applyBatch(batch: EventBatch): void {
    this.applyEvents(batch, batch.events);
  }

  /** Applies a batch whose events have been read (`batch.events`, read once). */
  private applyEvents(batch: EventBatch, events: readonly HubEvent[]): void {
    const at = batch.at ?? this.now();
    const e = this.tenant(batch.tenant, at);
    e.advance(at);
    for (let i = 0; i < events.length; i++) e.apply(events[i]!);
    e.position = batch.position;
    batch.applied?.(events.length);
  }

  /**
   * The pipeline: applies `batches$`, and emits each open view's updates, conflated per tenant
   * (leading and trailing edge of `updateIntervalMs`), plus a refresh every tick.
   */
  run(batches$: Observable<EventBatch>): Observable<ViewUpdate> {
    const applied$ = batches$.pipe(
      coalesceBursts(),
      mergeMap((burst) => this.applyBurst(burst)),
    );
    const ticks$ = interval(this.tickMs, this.scheduler).pipe(
      mergeMap(() => {
        // While the log replays, engine time follows the records, not the clock.
        if (this.timeHeld) return [];
        const now = this.now();
        const ids: string[] = [];
        for (const [id, e] of this.engines) {
          e.advance(now);
          if (this.views.has(id)) ids.push(id);
        }
        return ids;
      }),
    );
    return merge(applied$, ticks$).pipe(
      groupBy((tenant) => tenant),
      mergeMap((g) =>
        g.pipe(throttle(() => timer(this.conflationMs(), this.scheduler), { leading: true, trailing: true })),
      ),
      mergeMap((tenant) => this.refresh(tenant)),
      filter((u) => u.changes.length > 0),
      share(),
    );
  }

  /**
   * Holds engine time until `until` settles: ticks do not advance the engines, so a replay
   * applies every record at its own append time (`EventBatch.at`) even if it takes a while.
   */
  holdTime(until: Promise<unknown>): void {
    this.timeHeld = true;
    const release = (): void => {
      this.timeHeld = false;
    };
    until.then(release, release);
  }

  /** Checkpoints of every tenant (see TenantEngine.checkpoint). */
  checkpoints(): TenantCheckpoint[] {
    return [...this.engines.values()].map((e) => e.checkpoint());
  }

  /** Replaces (or creates) a tenant's engine from a checkpoint; replay then continues after its position. */
  restore(cp: TenantCheckpoint): TenantEngine {
    const e = TenantEngine.fromCheckpoint(cp);
    this.engines.set(cp.tenant, e);
    return e;
  }

  /**
   * Opens (or shares) a view of a tenant for a queue filter; returns its key. Views are built
   * only while someone holds them.
   */
  openView(tenant: string, queues: readonly string[] | null): string {
    const key = viewKey(queues);
    let byKey = this.views.get(tenant);
    if (!byKey) {
      byKey = new Map();
      this.views.set(tenant, byKey);
    }
    let v = byKey.get(key);
    if (!v) {
      const e = this.tenant(tenant);
      e.advance(this.now());
      const q = queues === null ? null : [...new Set(queues)].sort();
      const position = `${e.position}.0`;
      v = {
        key,
        queues: q,
        refs: 0,
        snapshot: { ...e.snapshot({ queues: q }), position },
        builtVersion: e.version,
        builtAt: e.now,
        seq: 0,
        createdPosition: position,
        topicPositions: new Map(),
      };
      byKey.set(key, v);
    }
    v.refs++;
    return key;
  }

  closeView(tenant: string, key: string): void {
    const byKey = this.views.get(tenant);
    const v = byKey?.get(key);
    if (!byKey || !v) return;
    if (--v.refs > 0) return;
    byKey.delete(key);
    if (byKey.size === 0) this.views.delete(tenant);
  }

  /** A topic's object as last emitted by a view, with the position its next update will name as `prev`. */
  topicState(tenant: string, key: string, topic: Topic): TopicState | null {
    const v = this.views.get(tenant)?.get(key);
    if (!v) return null;
    return { position: v.topicPositions.get(topic) ?? v.createdPosition, value: topicValue(v.snapshot, topic) };
  }

  /** Interval rollup rows changed since the previous call, for every tenant (absolute values; see TenantEngine.collectRollups). */
  collectRollups(opts: CollectOptions = {}): RollupBatch {
    const out: RollupBatch = { queues: [], agents: [] };
    const now = this.now();
    for (const e of this.engines.values()) {
      // During a replay an engine's time is its records' time: collect at that time.
      if (!this.timeHeld) e.advance(now);
      const b = e.collectRollups(opts);
      for (const r of b.queues) out.queues.push(r);
      for (const r of b.agents) out.agents.push(r);
    }
    return out;
  }

  /** The latest snapshot of a view, refreshed now (for REST reads). */
  snapshot(tenant: string, queues: readonly string[] | null): Snapshot {
    const e = this.tenant(tenant);
    e.advance(this.now());
    return e.snapshot({ queues });
  }

  private refresh(tenant: string): ViewUpdate[] {
    const byKey = this.views.get(tenant);
    const e = this.engines.get(tenant);
    if (!byKey || !e) {
      this.setRefreshCost(tenant, 0);
      this.refreshCostMs.delete(tenant);
      return [];
    }
    const started = performance.now();
    const out = this.refreshViews(tenant, e, byKey);
    const cost = performance.now() - started;
    this.setRefreshCost(tenant, 0.8 * (this.refreshCostMs.get(tenant) ?? cost) + 0.2 * cost);
    return out;
  }

  /** Keeps the sum of refresh costs with each tenant's, so the conflation interval costs O(1). */
  private setRefreshCost(tenant: string, ms: number): void {
    this.refreshTotalMs += ms - (this.refreshCostMs.get(tenant) ?? 0);
    this.refreshCostMs.set(tenant, ms);
  }

  private refreshViews(tenant: string, e: TenantEngine, byKey: Map<string, View>): ViewUpdate[] {
    if (!this.timeHeld) e.advance(this.now());
    const out: ViewUpdate[] = [];
    for (const v of byKey.values()) {
      if (v.builtVersion === e.version && v.builtAt === e.now) continue;
      const position = `${e.position}.${++v.seq}`;
      const next: Snapshot = { ...e.snapshot({ queues: v.queues }, { reuseViews: true }), position };
      const patch = diffMergePatch(v.snapshot, next);
      v.snapshot = next;
      v.builtVersion = e.version;
      v.builtAt = e.now;
      const changes = patch ? this.topicChanges(v, patch, position) : [];
      out.push({ tenant, view: v.key, position, snapshot: next, changes });
    }
    return out;
  }

  private topicChanges(v: View, patch: MergePatch, position: string): TopicChange[] {
    const changes: TopicChange[] = [];
    const add = (topic: Topic, p: unknown): void => {
      const prev = v.topicPositions.get(topic) ?? v.createdPosition;
      v.topicPositions.set(topic, position);
      // A removed object is a patch of null (RFC 7396: the document becomes null).
      changes.push({ topic, prev, changes: (p ?? null) as MergePatch | null });
    };
    add('tenant', patch);
    const queues = patch['queues'] as Record<string, unknown> | undefined;
    if (queues) for (const id of Object.keys(queues)) add(`queue:${id}`, queues[id]);
    const agents = patch['agents'] as Record<string, unknown> | undefined;
    if (agents) {
      add('agents', agents);
      for (const id of Object.keys(agents)) add(`agent:${id}`, agents[id]);
    }
    return changes;
  }
}

/** The object a topic names inside a snapshot (undefined when it does not exist). */
export function topicValue(s: Snapshot, topic: Topic): unknown {
  if (topic === 'tenant') return s;
  if (topic === 'agents') return s.agents;
  if (topic.startsWith('queue:')) return s.queues[topic.slice(6)] ?? null;
  return s.agents[topic.slice(6)] ?? null;
}
