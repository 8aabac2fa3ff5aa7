/** Columns of the SPEC §4 window figures, shared by the live queue table and the history view. */
import type { QueueWindow } from '../../sdk/src/index.js';
import { formatCount, formatDuration, formatPct, formatScore } from '../../shared/format.js';
import type { Column } from './data-table.js';

type Figure = keyof QueueWindow;

type Format = (value: number | null | undefined) => string;

/** A numeric column of figure `key`, shown through `format`. */
function figure<T>(format: Format) {
  return (key: Figure, label: string, get: (row: T) => Partial<QueueWindow> | undefined, title?: string): Column<T> => ({
    key,
    label,
    numeric: true,
    ...(title === undefined ? {} : { title }),
    value: (r) => (get(r)?.[key] as number | null | undefined) ?? null,
    render: (r) => format(get(r)?.[key] as number | null | undefined),
  });
}

/** Every counter and derived figure of a window, in the order a supervisor reads them. */
export function windowColumns<T>(get: (row: T) => Partial<QueueWindow> | undefined): Column<T>[] {
  const count = figure<T>(formatCount);
  const seconds = figure<T>(formatDuration);
  const pct = figure<T>(formatPct);
  const score = figure<T>(formatScore);
  return [
    count('offered', 'Offered', get, 'Contacts queued'),
    count('answered', 'Answered', get),
    pct('serviceLevel', 'SL', get, 'Service level'),
    pct('abandonRate', 'Ab. rate', get, 'Abandon rate (short abandons excluded)'),
    seconds('asaSec', 'ASA', get, 'Average speed of answer'),
    seconds('ahtSec', 'AHT', get, 'Average handle time'),
    seconds('maxWaitSec', 'Max wait', get),
    count('abandoned', 'Abandoned', get),
    count('shortAbandoned', 'Short ab.', get, 'Abandoned within the short-abandon threshold'),
    count('flowedOut', 'Flowed out', get, 'Dequeued: transfer, callback, voicemail, timeout'),
    count('handled', 'Handled', get),
    count('answeredInSl', 'In SL', get, 'Answered within the service-level threshold'),
    seconds('avgTalkSec', 'Talk', get, 'Average talk time'),
    seconds('avgHoldSec', 'Hold', get, 'Average hold time'),
    seconds('avgAcwSec', 'ACW', get, 'Average after-contact work'),
    score('csatAvg', 'CSAT', get, 'Average rating (1-5)'),
    pct('csatPct', 'CSAT %', get, 'Share of ratings 4 or 5'),
  ];
}
