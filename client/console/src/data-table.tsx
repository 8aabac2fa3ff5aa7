/**
 * A sortable table: a click (or Enter/Space) on a column header sorts by it, again reverses;
 * `aria-sort` tells screen readers. Empty figures (null) sort last either way.
 */
import type { ComponentChildren } from 'preact';
import { useMemo, useState } from 'preact/hooks';

export interface Column<T> {
  key: string;
  label: string;
  /** What the column sorts by. */
  value: (row: T) => number | string | null;
  /** What a cell shows (default: the value). */
  render?: (row: T) => ComponentChildren;
  numeric?: boolean;
  /** A longer name for screen readers and the header's tooltip. */
  title?: string;
}

export interface Sort {
  key: string;
  dir: 'asc' | 'desc';
}

export function sortRows<T>(rows: readonly T[], column: Column<T> | undefined, dir: 'asc' | 'desc'): T[] {
  if (column === undefined) return [...rows];
  const sign = dir === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const x = column.value(a);
    const y = column.value(b);
    if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
    if (typeof x === 'number' && typeof y === 'number') return sign * (x - y);
    return sign * String(x).localeCompare(String(y), 'en', { numeric: true, sensitivity: 'base' });
  });
}

interface TableProps<T> {
  caption: string;
  columns: readonly Column<T>[];
  rows: readonly T[];
  rowKey: (row: T) => string;
  initialSort: Sort;
  /** A last row under the body, e.g. totals. */
  footer?: T;
  empty?: string;
  testId?: string;
}

export function DataTable<T>({ caption, columns, rows, rowKey, initialSort, footer, empty = 'Nothing to show.', testId }: TableProps<T>) {
  const [sort, setSort] = useState<Sort>(initialSort);
  const column = columns.find((c) => c.key === sort.key);
  const sorted = useMemo(() => sortRows(rows, column, sort.dir), [rows, column, sort.dir]);
  const toggle = (c: Column<T>) =>
    setSort((s) => (s.key === c.key ? { key: c.key, dir: s.dir === 'asc' ? 'desc' : 'asc' } : { key: c.key, dir: c.numeric === true ? 'desc' : 'asc' }));
  const cell = (c: Column<T>, row: T) => (c.render === undefined ? (c.value(row) ?? '–') : c.render(row));
  return (
    <div class="table-wrap" tabIndex={0} role="region" aria-label={caption}>
      <table data-table={testId}>
        <caption class="sr-only">{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.key} scope="col" class={c.numeric === true ? 'num' : undefined} aria-sort={sort.key === c.key ? (sort.dir === 'asc' ? 'ascending' : 'descending') : undefined}>
                <button type="button" class="sort" title={c.title ?? c.label} data-sort={c.key} onClick={() => toggle(c)}>
                  {c.label}
                  <span class="sort-mark" aria-hidden="true">
                    {sort.key === c.key ? (sort.dir === 'asc' ? '▲' : '▼') : ''}
                  </span>
                </button>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {sorted.length === 0 ? (
            <tr>
              <td colSpan={columns.length} class="empty">
                {empty}
              </td>
            </tr>
          ) : (
            sorted.map((row) => (
              <tr key={rowKey(row)} data-row={rowKey(row)}>
                {columns.map((c, i) =>
                  i === 0 ? (
                    <th key={c.key} scope="row">
                      {cell(c, row)}
                    </th>
                  ) : (
                    <td key={c.key} class={c.numeric === true ? 'num' : undefined} data-col={c.key}>
                      {cell(c, row)}
                    </td>
                  ),
                )}
              </tr>
            ))
          )}
        </tbody>
        {footer === undefined ? null : (
          <tfoot>
            <tr>
              {columns.map((c, i) =>
                i === 0 ? (
                  <th key={c.key} scope="row">
                    {cell(c, footer)}
                  </th>
                ) : (
                  <td key={c.key} class={c.numeric === true ? 'num' : undefined}>
                    {cell(c, footer)}
                  </td>
                ),
              )}
            </tr>
          </tfoot>
        )}
      </table>
    </div>
  );
}
