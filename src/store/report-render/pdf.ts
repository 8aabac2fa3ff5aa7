/**
 * A report run as a printable PDF (pdfkit, A4 landscape): title, period, filters, who ran it, a
 * summary of the whole range (with the previous period and the change when comparing), then the
 * table, its header repeated on every page, and "Page i of n" at the foot. No charts: it prints
 * on any printer and reads in black and white.
 *
 * Every row is one line of fixed height (long cells end in an ellipsis), so the page count
 * follows from the row count: `pdfPageCount`.
 */
import PDFDocument from 'pdfkit';
import type { Granularity } from '../periods.js';
import type { CellValue, ReportColumn, ReportRow } from '../report-kinds.js';
import { REPORT_KIND_SPECS } from '../report-kinds.js';
import type { ReportRun } from '../reports.js';

const PAGE = { width: 841.89, height: 595.28 };
const MARGIN = 36;
const ROW_H = 14;
const HEAD_H = 16;
const TITLE_H = 24;
const LINE_H = 14;
/** Lines above the table on the first page: subtitle, 5 facts, summary title, 3 summary lines, gap. */
const FIRST_PAGE_LINES = 11;
const TABLE_BOTTOM = PAGE.height - MARGIN - LINE_H;
const FIRST_TABLE_TOP = MARGIN + TITLE_H + FIRST_PAGE_LINES * LINE_H;
const NEXT_TABLE_TOP = MARGIN + LINE_H + 6;
const SUMMARY_PER_LINE = 3;
const SUMMARY_LINES = 3;

const rowsFitting = (top: number): number => Math.floor((TABLE_BOTTOM - top - HEAD_H) / ROW_H);
export const FIRST_PAGE_ROWS = rowsFitting(FIRST_TABLE_TOP);
export const NEXT_PAGE_ROWS = rowsFitting(NEXT_TABLE_TOP);

/** Pages a run of `rows` rows prints on. */
export function pdfPageCount(rows: number): number {
  return rows <= FIRST_PAGE_ROWS ? 1 : 1 + Math.ceil((rows - FIRST_PAGE_ROWS) / NEXT_PAGE_ROWS);
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function localParts(ms: number, timezone: string): Record<string, string> {
  let f = formatters.get(timezone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone: timezone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'shortOffset',
    });
    formatters.set(timezone, f);
  }
  return Object.fromEntries(f.formatToParts(ms).map((p) => [p.type, p.value]));
}

/** A local time as people read it: 2026-10-25 02:00 (GMT+1). */
export function localTime(iso: string, timezone: string): string {
  const p = localParts(Date.parse(iso), timezone);
  return `${p['year']}-${p['month']}-${p['day']} ${p['hour']}:${p['minute']} (${p['timeZoneName']})`;
}

/** A period's label in the table: as fine as its granularity. */
function periodLabel(iso: string, granularity: Granularity, timezone: string): string {
  const p = localParts(Date.parse(iso), timezone);
  const day = `${p['year']}-${p['month']}-${p['day']}`;
  switch (granularity) {
    case 'month':
      return `${p['year']}-${p['month']}`;
    case 'week':
      return `week of ${day}`;
    case 'day':
      return day;
    default:
      return `${day} ${p['hour']}:${p['minute']} ${p['timeZoneName']}`;
  }
}

function cell(value: CellValue | undefined): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

function change(current: CellValue | undefined, previous: CellValue | undefined): string {
  if (typeof current !== 'number' || typeof previous !== 'number') return '';
  const d = current - previous;
  return ` (prev. ${cell(previous)}, ${d >= 0 ? '+' : ''}${cell(d)})`;
}

interface TableColumn {
  label: string;
  width: number;
  align: 'left' | 'right';
  text(row: ReportRow): string;
}

/** Renders a succeeded run; the caller pipes the document and it ends by itself. */
export function renderReportPdf(run: ReportRun & { result: NonNullable<ReportRun['result']> }): PDFKit.PDFDocument {
  const r = run.result;
  const tz = r.timezone;
  const doc = new PDFDocument({
    size: 'A4',
    layout: 'landscape',
    margins: { top: MARGIN, left: MARGIN, right: MARGIN, bottom: 0 },
    bufferPages: true,
    info: { Title: r.report.name, Subject: r.report.title, Author: run.runBy },
  });
  const width = PAGE.width - 2 * MARGIN;
  const text = (s: string, x: number, y: number, w: number, options: PDFKit.Mixins.TextOptions = {}): void => {
    doc.text(s, x, y, { width: w, height: LINE_H, lineBreak: false, ellipsis: true, ...options });
  };

  // Title and facts.
  doc.font('Helvetica-Bold').fontSize(16);
  text(r.report.name, MARGIN, MARGIN, width, { height: TITLE_H });
  doc.font('Helvetica').fontSize(10);
  let y = MARGIN + TITLE_H;
  const line = (s: string): void => {
    text(s, MARGIN, y, width);
    y += LINE_H;
  };
  line(`${r.report.title} · granularity ${r.granularity} · timezone ${tz}`);
  line(`Period: ${localTime(r.period.from, tz)} to ${localTime(r.period.to, tz)}`);
  line(r.previous === null ? 'Compared with: no comparison' : `Compared with: ${localTime(r.previous.from, tz)} to ${localTime(r.previous.to, tz)}`);
  const f = r.filters;
  line(`Filters: queues ${f.queues?.join(', ') ?? 'all'} · agents ${f.agents?.join(', ') ?? 'all'} · channel ${f.channel ?? 'all'}`);
  line(`Queues covered: ${r.queues === null ? 'all of the tenant' : r.queues.length === 0 ? 'none' : r.queues.join(', ')}`);
  line(`Run by ${run.runBy} at ${localTime(run.startedAt, tz)} · ${run.rowCount} rows · ${Math.round(run.durationMs)} ms`);

  // Summary: the printed columns of the whole range.
  doc.font('Helvetica-Bold');
  line(`Summary (${REPORT_KIND_SPECS[r.report.kind].entity === 'queue' ? 'all queues covered' : 'all agents listed'}, whole period)`);
  doc.font('Helvetica');
  const printed = REPORT_KIND_SPECS[r.report.kind].printed.filter((k) => k !== 'rank');
  const byKey = new Map<string, ReportColumn>(r.columns.map((c) => [c.key, c]));
  const colW = width / SUMMARY_PER_LINE;
  for (let i = 0; i < SUMMARY_PER_LINE * SUMMARY_LINES; i++) {
    const key = printed[i];
    if (key === undefined) break;
    const label = byKey.get(key)?.label ?? key;
    const prev = r.summary.previous === null ? '' : change(r.summary.current[key], r.summary.previous[key]);
    text(`${label}: ${cell(r.summary.current[key])}${prev}`, MARGIN + (i % SUMMARY_PER_LINE) * colW, y + Math.floor(i / SUMMARY_PER_LINE) * LINE_H, colW - 6);
  }

  // The table.
  const comparing = r.previous !== null;
  const columns: TableColumn[] = [
    { label: 'Period', width: r.granularity === '15m' || r.granularity === 'hour' ? 120 : 78, align: 'left', text: (row) => periodLabel(row.periodStart, r.granularity, tz) },
    ...(comparing ? [{ label: 'Series', width: 48, align: 'left' as const, text: (row: ReportRow) => row.series }] : []),
    { label: REPORT_KIND_SPECS[r.report.kind].entity === 'agent' ? 'Agent' : 'Queue', width: 100, align: 'left', text: (row) => row.entityId ?? 'Total' },
  ];
  const fixedW = columns.reduce((n, c) => n + c.width, 0);
  const keys = REPORT_KIND_SPECS[r.report.kind].printed;
  const valueW = (width - fixedW) / keys.length;
  for (const key of keys) {
    columns.push({ label: byKey.get(key)?.label ?? key, width: valueW, align: 'right', text: (row) => cell(row.values[key]) });
  }

  const header = (top: number): number => {
    doc.rect(MARGIN, top, width, HEAD_H).fill('#e6e6e6');
    doc.fillColor('black').font('Helvetica-Bold').fontSize(9);
    let x = MARGIN;
    for (const c of columns) {
      text(c.label, x + 2, top + 4, c.width - 4, { align: c.align });
      x += c.width;
    }
    doc.font('Helvetica').fontSize(9);
    return top + HEAD_H;
  };

  let rowY = header(FIRST_TABLE_TOP);
  let left = FIRST_PAGE_ROWS;
  for (const [i, row] of r.rows.entries()) {
    if (left === 0) {
      doc.addPage();
      doc.font('Helvetica').fontSize(9);
      text(`${r.report.name} (continued)`, MARGIN, MARGIN, width);
      rowY = header(NEXT_TABLE_TOP);
      left = NEXT_PAGE_ROWS;
    }
    if (row.entity === 'total') doc.font('Helvetica-Bold');
    let x = MARGIN;
    for (const c of columns) {
      text(c.text(row), x + 2, rowY + 3, c.width - 4, { align: c.align });
      x += c.width;
    }
    if (row.entity === 'total') doc.font('Helvetica');
    const next = r.rows[i + 1];
    if (next !== undefined && next.periodStart !== row.periodStart) {
      doc.moveTo(MARGIN, rowY + ROW_H).lineTo(MARGIN + width, rowY + ROW_H).lineWidth(0.3).strokeColor('#999999').stroke();
    }
    rowY += ROW_H;
    left--;
  }
  if (r.rows.length === 0) text('No rows: nothing in this period for these filters.', MARGIN + 2, rowY + 3, width);

  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    doc.font('Helvetica').fontSize(8).fillColor('black');
    text(`Page ${i + 1} of ${range.count}`, MARGIN, PAGE.height - MARGIN, width, { align: 'right' });
  }
  doc.end();
  return doc;
}
