/** The page side of the SDK: one client per token, the tenant topic as state, and a ticking clock. */
import { useEffect, useState } from 'preact/hooks';
import { connectPulse, type ConnectionState, type PulseClient, type PulseError, type Snapshot } from '../sdk/src/index.js';

export interface PulseView {
  client: PulseClient | null;
  state: ConnectionState;
  snapshot: Snapshot | null;
  /** Local time (epoch ms) the latest figures arrived. */
  receivedAt: number;
  /** The hub's clock minus ours, from the snapshot's `asOf`: live durations use the hub's time. */
  offsetMs: number;
  /** What ended the connection or the topic, when something did. */
  error: PulseError | null;
}

const INITIAL: PulseView = { client: null, state: 'connecting', snapshot: null, receivedAt: 0, offsetMs: 0, error: null };

export function usePulse(token: string | null): PulseView {
  const [view, setView] = useState<PulseView>(INITIAL);
  useEffect(() => {
    if (token === null) return undefined;
    const client = connectPulse({ url: location.origin, token });
    setView({ ...INITIAL, client });
    const subs = [
      client.state$.subscribe((state) => setView((v) => ({ ...v, state }))),
      client.errors$.subscribe((error) => setView((v) => ({ ...v, error }))),
      client.subscribe('tenant').subscribe({
        next: (snapshot) => {
          const now = Date.now();
          const asOf = Date.parse(snapshot.asOf);
          setView((v) => ({ ...v, snapshot, receivedAt: now, offsetMs: Number.isFinite(asOf) ? asOf - now : v.offsetMs }));
        },
        error: (error: PulseError) => setView((v) => ({ ...v, error })),
      }),
    ];
    return () => {
      for (const s of subs) s.unsubscribe();
      client.close();
    };
  }, [token]);
  return view;
}

/** The current time (epoch ms), re-rendering every `intervalMs`. */
export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}
