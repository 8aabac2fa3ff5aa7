/**
 * A report run's rows as CSV (RFC 4180): a header row, then one row per period × entity (and per
 * series when comparing), CRLF line ends, fields quoted when they hold a comma, a quote or a line
 * break. Numbers are written in full precision (parsing them back gives the JSON values), an
 * empty field is a null, booleans are true/false.
 */
import type { ReportResult } from '../reports.js';
import type { CellValue, ReportRow } from '../report-kinds.js';

/** The fixed leading columns, then the kind's columns (their keys). */
export const CSV_FIXED_COLUMNS = ['series', 'period_start', 'period_end', 'entity', 'entity_id'] as const;

const NEEDS_QUOTES = /[",\r\n]/;

export function csvField(value: string | CellValue): string {
  if (value === null) return '';
  const text = String(value);
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function line(fields: readonly (string | CellValue)[]): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}

function rowLine(row: ReportRow, keys: readonly string[]): string {
  return line([row.series, row.periodStart, row.periodEnd, row.entity, row.entityId, ...keys.map((k) => row.values[k] ?? null)]);
}

/** The CSV text in chunks of about `linesPerChunk` lines, for streaming. */
export function* csvChunks(result: ReportResult, linesPerChunk = 500): Generator<string> {
  const keys = result.columns.map((c) => c.key);
  let chunk = line([...CSV_FIXED_COLUMNS, ...keys]);
  let lines = 1;
  for (const row of result.rows) {
    chunk += rowLine(row, keys);
    if (++lines >= linesPerChunk) {
      yield chunk;
      chunk = '';
      lines = 0;
    }
  }
  if (chunk.length > 0) yield chunk;
}
