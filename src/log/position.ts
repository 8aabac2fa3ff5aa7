/**
 * Log positions and cursors (the formats are described in src/log/index.ts).
 *
 * Sequence positions (memory, postgres): a decimal integer without leading zeros; "0" is before
 * every record. Stream positions (redis): `<partition>:<ms>-<seq>`, a Redis stream id within a
 * partition. A cursor is a sequence position, or a comma-separated list of stream positions
 * with at most one per partition (a partition it does not name is read from its start).
 */

export class InvalidPositionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidPositionError';
  }
}

const SEQUENCE = /^(0|[1-9]\d*)$/;
const STREAM = /^(0|[1-9]\d*):((?:0|[1-9]\d*)-(?:0|[1-9]\d*))$/;

export interface StreamPosition {
  partition: number;
  /** Redis stream id, `<ms>-<seq>`. */
  id: string;
}

export function isSequencePosition(value: string): boolean {
  return SEQUENCE.test(value);
}

/** Returns `value` when it is a sequence position; throws `InvalidPositionError` otherwise. */
export function checkSequencePosition(value: string): string {
  if (!SEQUENCE.test(value)) {
    throw new InvalidPositionError(`invalid log position ${JSON.stringify(value)}: expected a decimal sequence number`);
  }
  return value;
}

export function parseStreamPosition(value: string): StreamPosition {
  const m = STREAM.exec(value);
  if (m === null) throw new InvalidPositionError(`invalid log position ${JSON.stringify(value)}: expected <partition>:<ms>-<seq>`);
  return { partition: Number(m[1]), id: m[2] as string };
}

export function formatStreamPosition(partition: number, id: string): string {
  return `${partition}:${id}`;
}

/** Orders two decimal integers without leading zeros. */
function compareDecimals(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Orders two Redis stream ids (`<ms>-<seq>`). */
export function compareStreamIds(a: string, b: string): number {
  const [aMs = '', aSeq = ''] = a.split('-');
  const [bMs = '', bSeq = ''] = b.split('-');
  return compareDecimals(aMs, bMs) || compareDecimals(aSeq, bSeq);
}

/**
 * Orders two record positions of the same log: negative when `a` comes first. Stream positions
 * are ordered only within one partition (a tenant's records all live in one); comparing two
 * partitions, or two formats, throws `InvalidPositionError`.
 */
export function comparePositions(a: string, b: string): number {
  if (isSequencePosition(a) && isSequencePosition(b)) return compareDecimals(a, b);
  const pa = parseStreamPosition(a);
  const pb = parseStreamPosition(b);
  if (pa.partition !== pb.partition) {
    throw new InvalidPositionError(`positions ${a} and ${b} are in different partitions and have no order`);
  }
  return compareStreamIds(pa.id, pb.id);
}

/** Parses a stream cursor into its stream id per partition. */
export function parseStreamCursor(cursor: string): Map<number, string> {
  const ids = new Map<number, string>();
  for (const part of cursor.split(',')) {
    const { partition, id } = parseStreamPosition(part);
    if (ids.has(partition)) throw new InvalidPositionError(`cursor ${JSON.stringify(cursor)} names partition ${partition} twice`);
    ids.set(partition, id);
  }
  return ids;
}

export function formatStreamCursor(ids: ReadonlyMap<number, string>): string {
  return [...ids]
    .sort(([a], [b]) => a - b)
    .map(([partition, id]) => formatStreamPosition(partition, id))
    .join(',');
}

/**
 * The cursor after reading the record at `position`: what to pass to `read` to resume after it.
 * For sequence positions that is the later of the two; for stream positions, the record's
 * partition moves forward and the others stay where they were.
 */
export function advanceCursor(cursor: string | undefined, position: string): string {
  if (isSequencePosition(position)) {
    if (cursor === undefined) return position;
    if (!isSequencePosition(cursor)) throw new InvalidPositionError(`cursor ${JSON.stringify(cursor)} is not a sequence position like ${position}`);
    return compareDecimals(cursor, position) >= 0 ? cursor : position;
  }
  const { partition, id } = parseStreamPosition(position);
  const ids = cursor === undefined ? new Map<number, string>() : parseStreamCursor(cursor);
  const current = ids.get(partition);
  if (current === undefined || compareStreamIds(current, id) < 0) ids.set(partition, id);
  return formatStreamCursor(ids);
}

/**
 * Whether a reader at `cursor` (undefined: nothing read yet) has passed every position of the
 * cursor `target`: true when `target` is a record position the reader has delivered, or a
 * `head()` the reader has caught up with. A partition `cursor` does not name counts as unread.
 */
export function cursorReached(cursor: string | undefined, target: string): boolean {
  if (isSequencePosition(target)) {
    if (cursor === undefined) return target === '0';
    if (!isSequencePosition(cursor)) throw new InvalidPositionError(`cursor ${JSON.stringify(cursor)} is not a sequence position like ${target}`);
    return compareDecimals(cursor, target) >= 0;
  }
  const reached = cursor === undefined ? new Map<number, string>() : parseStreamCursor(cursor);
  for (const [partition, id] of parseStreamCursor(target)) {
    if (compareStreamIds(reached.get(partition) ?? '0-0', id) < 0) return false;
  }
  return true;
}
