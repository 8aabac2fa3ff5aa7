/**
 * Waiting contacts and service level (15 min rolling) over the last 60 minutes, sampled from the
 * live snapshot every few seconds since the console opened, for all queues or one.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Snapshot } from '../../sdk/src/index.js';
import { Choice } from './choice.js';

export const TREND_SPAN_MS = 60 * 60_000;
export const SAMPLE_EVERY_MS = 5000;
/** The chart shows at least five minutes, so a freshly opened console reads in minutes, not seconds. */
const MIN_SPAN_SEC = 300;

interface Point {
  waiting: number;
  sl: number | null;
}

export interface Sample {
  /** Epoch seconds (uPlot's time unit). */
  t: number;
  totals: Point;
  queues: Record<string, Point>;
}

/** Keeps one sample per SAMPLE_EVERY_MS of the last hour. */
export function useTrendSamples(snapshot: Snapshot | null): Sample[] {
  const samples = useRef<Sample[]>([]);
  const [, setVersion] = useState(0);
  useEffect(() => {
    if (snapshot === null) return;
    const at = Date.parse(snapshot.asOf);
    const list = samples.current;
    const last = list.at(-1);
    if (last !== undefined && at - last.t * 1000 < SAMPLE_EVERY_MS) return;
    const queues: Record<string, Point> = {};
    for (const [id, q] of Object.entries(snapshot.queues)) queues[id] = { waiting: q.waiting, sl: q.windows['15m'].serviceLevel ?? null };
    list.push({ t: at / 1000, totals: { waiting: snapshot.totals.waiting, sl: snapshot.totals.windows['15m'].serviceLevel ?? null }, queues });
    while (list.length > 0 && at - list[0]!.t * 1000 > TREND_SPAN_MS) list.shift();
    setVersion((v) => v + 1);
  }, [snapshot]);
  return samples.current;
}

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

export function TrendChart({ samples, queueIds }: { samples: readonly Sample[]; queueIds: readonly string[] }) {
  const [queue, setQueue] = useState('');
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  const data: uPlot.AlignedData = [
    samples.map((s) => s.t),
    samples.map((s) => (queue === '' ? s.totals : s.queues[queue])?.waiting ?? null),
    samples.map((s) => (queue === '' ? s.totals : s.queues[queue])?.sl ?? null),
  ];

  useEffect(() => {
    const el = box.current;
    if (el === null) return undefined;
    const text = cssVar('--muted');
    const grid = cssVar('--line');
    const axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    const u = new uPlot(
      {
        width: el.clientWidth,
        height: 260,
        scales: { x: { time: true, range: (_u, min, max) => [max - Math.min(TREND_SPAN_MS / 1000, Math.max(MIN_SPAN_SEC, max - min)), max] }, n: { range: (_u, _min, max) => [0, Math.max(5, max ?? 0)] }, pct: { range: [0, 100] } },
        series: [
          {},
          { label: 'Waiting', scale: 'n', stroke: cssVar('--accent'), width: 2, fill: 'rgba(96,165,250,0.12)', value: (_u, v) => (v === null ? '–' : String(v)) },
          { label: 'Service level (15 min)', scale: 'pct', stroke: cssVar('--ok'), width: 2, value: (_u, v) => (v === null ? '–' : `${Math.round(v)}%`) },
        ],
        axes: [
          { ...axis },
          { ...axis, scale: 'n', label: 'Waiting', incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000] },
          { ...axis, scale: 'pct', side: 1, label: 'Service level %', grid: { show: false } },
        ],
        legend: { live: false },
      },
      data,
      el,
    );
    plot.current = u;
    const resize = new ResizeObserver(() => u.setSize({ width: el.clientWidth, height: 260 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      u.destroy();
      plot.current = null;
    };
    // The chart is made once; data flows in through setData below.
  }, []);

  useEffect(() => {
    plot.current?.setData(data);
  });

  const minutes = samples.length < 2 ? 0 : Math.round((samples.at(-1)!.t - samples[0]!.t) / 60);
  return (
    <section class="card" aria-labelledby="trend-title">
      <div class="card-head">
        <h2 id="trend-title">Trend</h2>
        <p class="hint">Waiting and service level over the last hour{minutes < 60 ? ` (collected since this console opened: ${minutes} min)` : ''}</p>
        <Choice label="Queue" name="trend-queue" value={queue} options={queueIds} all="All queues" inline onChange={setQueue} />
      </div>
      <div ref={box} class="chart" role="img" aria-label={`Chart of waiting contacts and service level for ${queue === '' ? 'all queues' : queue}`} />
    </section>
  );
}
