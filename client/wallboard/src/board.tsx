/** The wallboard: per queue, big tiles read from across the room; tenant totals; a clock; banners. */
import { useEffect, useState } from 'preact/hooks';
import type { QueueView, Snapshot, TotalsView, WindowName } from '../../sdk/src/index.js';
import { formatCount, formatDuration, formatPct, WINDOW_LABELS } from '../../shared/format.js';
import { abandonLevel, availableLevel, DEFAULT_SETTINGS, serviceLevelLevel, waitingLevel, waitLevel, type Level, type QueueSettings } from '../../shared/levels.js';
import { refusalOf } from '../../shared/messages.js';
import { useNow, usePulse } from '../../shared/use-pulse.js';
import type { WallboardConfig } from './config.js';
import { loadQueueSettings } from './settings.js';

/** Live, but nothing has arrived for this long: the figures may be out of date. */
export const STALE_AFTER_MS = 3000;
const SETTINGS_REFRESH_MS = 5 * 60_000;

interface TileProps {
  id: string;
  label: string;
  value: string;
  level?: Level;
  note?: string;
}

function Tile({ id, label, value, level = 'none', note }: TileProps) {
  return (
    <div class="tile" data-level={level} data-tile={id}>
      <div class="tile-label">{label}</div>
      <div class="tile-value" data-value>
        {value}
      </div>
      {note === undefined ? null : <div class="tile-note">{note}</div>}
    </div>
  );
}

function QueuePanel({ id, queue, window, settings }: { id: string; queue: QueueView | undefined; window: WindowName; settings: QueueSettings }) {
  const w = queue?.windows[window];
  const a = queue?.agents;
  const waiting = queue?.waiting ?? 0;
  const oldest = queue?.oldestWaitSec ?? null;
  const t = (name: string) => `${id}:${name}`;
  return (
    <section class="queue" aria-label={`Queue ${id}`}>
      <header class="queue-head">
        <h2>{id}</h2>
        {queue === undefined ? <span class="queue-note">no activity yet</span> : <span class="queue-note">SL target {settings.slTargetPct}% in {settings.slThresholdSec}s</span>}
      </header>
      <div class="tiles">
        <Tile id={t('waiting')} label="Waiting" value={formatCount(queue?.waiting)} level={queue === undefined ? 'none' : waitingLevel(waiting, a?.staffed ?? 0, oldest, settings)} />
        <Tile id={t('oldest')} label="Oldest wait" value={formatDuration(oldest)} level={waitLevel(oldest, settings)} />
        <Tile
          id={t('sl')}
          label="Service level"
          value={formatPct(w?.serviceLevel)}
          level={serviceLevelLevel(w?.serviceLevel ?? null, settings)}
          note={`target ${settings.slTargetPct}%`}
        />
        <Tile id={t('abandon')} label="Abandoned" value={formatPct(w?.abandonRate)} level={abandonLevel(w?.abandonRate ?? null)} note={`${formatCount(w?.abandoned)} of ${formatCount(w?.offered)}`} />
        <Tile id={t('asa')} label="ASA" value={formatDuration(w?.asaSec)} level={waitLevel(w?.asaSec ?? null, settings)} />
        <Tile id={t('aht')} label="AHT" value={formatDuration(w?.ahtSec)} />
        <Tile id={t('available')} label="Available" value={formatCount(a?.available)} level={queue === undefined ? 'none' : availableLevel(a?.available ?? 0, waiting)} />
        <Tile id={t('oncontact')} label="On contact" value={formatCount(a?.onContact)} />
        <Tile id={t('acw')} label="ACW" value={formatCount(a?.acw)} />
        <Tile id={t('aux')} label="Aux" value={formatCount(a?.aux)} />
      </div>
    </section>
  );
}

function Totals({ totals, window }: { totals: TotalsView; window: WindowName }) {
  const w = totals.windows[window];
  return (
    <div class="totals" aria-label="All queues">
      <Tile id="totals:waiting" label="Waiting" value={formatCount(totals.waiting)} />
      <Tile id="totals:oldest" label="Oldest wait" value={formatDuration(totals.oldestWaitSec)} />
      <Tile id="totals:sl" label="Service level" value={formatPct(w.serviceLevel)} />
      <Tile id="totals:abandon" label="Abandoned" value={formatPct(w.abandonRate)} />
      <Tile id="totals:agents" label="Available" value={formatCount(totals.agents.available)} note={`of ${formatCount(totals.agents.staffed)} staffed`} />
    </div>
  );
}

function Clock({ now }: { now: number }) {
  const d = new Date(now);
  return (
    <div class="clock" aria-label="Time">
      <time class="clock-time">{d.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit' })}</time>
      <span class="clock-date">{d.toLocaleDateString('en-GB', { weekday: 'short', day: 'numeric', month: 'short' })}</span>
    </div>
  );
}

function useQueueSettings(client: ReturnType<typeof usePulse>['client'], ids: readonly string[]): Record<string, QueueSettings> {
  const [settings, setSettings] = useState<Record<string, QueueSettings>>({});
  const key = ids.join(',');
  useEffect(() => {
    if (client === null || ids.length === 0) return undefined;
    let live = true;
    const load = () =>
      void Promise.all(ids.map(async (id) => [id, await loadQueueSettings(client, id)] as const)).then((pairs) => {
        if (live) setSettings(Object.fromEntries(pairs));
      });
    load();
    const timer = setInterval(load, SETTINGS_REFRESH_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
    // Keyed by the joined ids: a new array with the same queues is no change.
  }, [client, key]);
  return settings;
}

function queueIds(config: WallboardConfig, snapshot: Snapshot | null): string[] {
  if (config.queues !== null) return config.queues;
  return snapshot === null ? [] : Object.keys(snapshot.queues).sort();
}

/** Columns of queue panels: wide rows while they fit, then two columns. */
function columnsFor(n: number): number {
  return n <= 3 ? 1 : 2;
}

export function Board({ config }: { config: WallboardConfig }) {
  const pulse = usePulse(config.token);
  const now = useNow(1000);
  const ids = queueIds(config, pulse.snapshot);
  const settings = useQueueSettings(pulse.client, ids);

  if (pulse.state === 'unauthorized') {
    const refusal = refusalOf(pulse.error, config.token, now);
    return (
      <div class="message" role="alert" data-message="refused">
        <h1>{refusal.title}</h1>
        <p>{refusal.detail}</p>
      </div>
    );
  }

  const offline = pulse.state === 'offline';
  const quietMs = now - pulse.receivedAt;
  const stale = !offline && pulse.state === 'live' && pulse.snapshot !== null && quietMs > STALE_AFTER_MS;
  const since = pulse.receivedAt > 0 ? new Date(pulse.receivedAt).toLocaleTimeString('en-GB') : null;
  let banner: preact.JSX.Element | null = null;
  if (offline) {
    banner = (
      <div class="banner banner-lost" role="alert" data-banner="lost">
        Connection to Pulse Hub lost — reconnecting…{since === null ? '' : ` Figures shown are from ${since}.`}
      </div>
    );
  } else if (stale) {
    banner = (
      <div class="banner banner-stale" role="alert" data-banner="stale">
        No new figures for {Math.floor(quietMs / 1000)} s — the numbers may be out of date.
      </div>
    );
  }

  const snapshot = pulse.snapshot;
  return (
    <div class={`board${offline || stale ? ' board-dim' : ''}`} data-state={pulse.state}>
      <header class="top">
        <div class="brand">
          <span class="brand-name">Pulse Hub</span>
          <span class="brand-sub">
            {snapshot?.tenant ?? ''} · {WINDOW_LABELS[config.window]}
          </span>
        </div>
        {snapshot === null ? <div class="totals" /> : <Totals totals={snapshot.totals} window={config.window} />}
        <Clock now={now} />
      </header>
      {banner}
      {snapshot === null ? (
        <main class="message" data-message="connecting">
          <h1>Connecting to Pulse Hub…</h1>
        </main>
      ) : (
        <main class="queues" style={{ '--cols': String(columnsFor(ids.length)) }}>
          {ids.length === 0 ? (
            <div class="message">
              <h1>No queues yet</h1>
              <p>Figures appear as soon as the first contact is queued.</p>
            </div>
          ) : (
            ids.map((id) => <QueuePanel key={id} id={id} queue={snapshot.queues[id]} window={config.window} settings={settings[id] ?? DEFAULT_SETTINGS} />)
          )}
        </main>
      )}
    </div>
  );
}
