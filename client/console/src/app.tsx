/** The console: sign-in, then Live (queues, trend, agents), History and Reports. */
import { useEffect, useState } from 'preact/hooks';
import type { WindowName } from '../../sdk/src/index.js';
import { WINDOW_LABELS } from '../../shared/format.js';
import { refusalOf, type Refusal } from '../../shared/messages.js';
import { useNow, usePulse } from '../../shared/use-pulse.js';
import { AgentBoard } from './agent-board.js';
import { HistoryView } from './history.js';
import { QueueTable } from './queue-table.js';
import { ReportsView } from './reports.js';
import { SignIn } from './sign-in.js';
import { forgetToken, keepToken, takeToken } from './token-store.js';
import { TrendChart, useTrendSamples } from './trend.js';

type Tab = 'live' | 'history' | 'reports';
const TABS: Record<Tab, string> = { live: 'Live', history: 'History', reports: 'Reports' };
const WINDOWS: WindowName[] = ['15m', '60m', 'today'];

function tabOf(hash: string): Tab {
  const t = hash.replace(/^#\/?/, '');
  return t === 'history' || t === 'reports' ? t : 'live';
}

function useTab(): Tab {
  const [tab, setTab] = useState(() => tabOf(location.hash));
  useEffect(() => {
    const on = () => setTab(tabOf(location.hash));
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return tab;
}

const STATE_TEXT = { connecting: 'Connecting…', live: 'Live', resyncing: 'Catching up…', offline: 'Offline — reconnecting', unauthorized: 'Signed out' } as const;

function Console({ token, onRefused, onSignOut }: { token: string; onRefused: (r: Refusal) => void; onSignOut: () => void }) {
  const pulse = usePulse(token);
  const now = useNow(1000);
  const tab = useTab();
  const [window, setWindow] = useState<WindowName>('15m');
  const samples = useTrendSamples(pulse.snapshot);

  useEffect(() => {
    if (pulse.state === 'unauthorized') onRefused(refusalOf(pulse.error, token, Date.now()));
  }, [pulse.state]);

  const snapshot = pulse.snapshot;
  const queueIds = snapshot === null ? [] : Object.keys(snapshot.queues).sort();
  return (
    <div class="console">
      <header class="bar">
        <div class="brand">
          <span class="brand-name">Pulse Hub</span>
          <span class="brand-sub">{snapshot?.tenant ?? ''}</span>
        </div>
        <nav aria-label="Sections">
          {(Object.keys(TABS) as Tab[]).map((t) => (
            <a key={t} href={`#/${t}`} aria-current={tab === t ? 'page' : undefined}>
              {TABS[t]}
            </a>
          ))}
        </nav>
        <span class="conn" data-conn={pulse.state} role="status">
          {STATE_TEXT[pulse.state]}
        </span>
        <button type="button" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      {pulse.state === 'offline' ? (
        <div class="banner" role="alert">
          The connection to the hub was lost; reconnecting. The figures below are from {new Date(pulse.receivedAt).toLocaleTimeString('en-GB')}.
        </div>
      ) : null}
      <main class="content">
        {tab === 'live' ? (
          snapshot === null ? (
            <p class="loading">Loading live figures…</p>
          ) : (
            <>
              <section class="card" aria-labelledby="queues-title">
                <div class="card-head">
                  <h2 id="queues-title">Queues</h2>
                  <fieldset class="segmented">
                    <legend class="sr-only">Window</legend>
                    {WINDOWS.map((w) => (
                      <label key={w}>
                        <input type="radio" name="window" value={w} checked={window === w} onChange={() => setWindow(w)} />
                        <span>{WINDOW_LABELS[w]}</span>
                      </label>
                    ))}
                  </fieldset>
                </div>
                <QueueTable snapshot={snapshot} window={window} />
              </section>
              <TrendChart samples={samples} queueIds={queueIds} />
              <AgentBoard snapshot={snapshot} hubNow={now + pulse.offsetMs} />
            </>
          )
        ) : null}
        {tab === 'history' && pulse.client !== null ? <HistoryView client={pulse.client} queueIds={queueIds} /> : null}
        {tab === 'reports' && pulse.client !== null ? <ReportsView client={pulse.client} /> : null}
      </main>
    </div>
  );
}

export function App() {
  const [token, setToken] = useState<string | null>(() => takeToken());
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  if (token === null) {
    return (
      <SignIn
        refusal={refusal}
        onToken={(t) => {
          keepToken(t);
          setRefusal(null);
          setToken(t);
        }}
      />
    );
  }
  return (
    <Console
      token={token}
      onRefused={(r) => {
        forgetToken();
        setRefusal(r);
        setToken(null);
      }}
      onSignOut={() => {
        forgetToken();
        setToken(null);
      }}
    />
  );
}
