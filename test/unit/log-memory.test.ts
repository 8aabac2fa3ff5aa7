import { firstValueFrom, take, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { HubEvent } from '../../src/events/index.js';
import {
  InvalidPositionError,
  LogUnavailableError,
  MemoryEventLog,
  advanceCursor,
  comparePositions,
  cursorReached,
  type LogRecord,
} from '../../src/log/index.js';

function queued(id: string, ts = 1_700_000_000_000): HubEvent {
  return { id, type: 'contact.queued', ts, contactId: `c-${id}`, queueId: 'q1', channel: 'voice' } as HubEvent;
}

function collect(log: MemoryEventLog, from?: string): LogRecord[] {
  const records: LogRecord[] = [];
  log.read(from).subscribe((r) => records.push(r)).unsubscribe();
  return records;
}

describe('MemoryEventLog', () => {
  it('appends batches as records with increasing positions, stamped by its clock', async () => {
    let now = 1_700_000_000_000;
    const log = new MemoryEventLog({ clock: { now: () => now } });
    const first = await log.append('acme', [queued('e1'), queued('e2')]);
    now += 250;
    const second = await log.append('beta', [queued('e1')]);
    expect(first).toEqual({ position: '1', accepted: 2, duplicates: 0, acceptedIds: ['e1', 'e2'] });
    expect(second).toEqual({ position: '2', accepted: 1, duplicates: 0, acceptedIds: ['e1'] });
    expect(collect(log)).toEqual([
      { position: '1', tenant: 'acme', events: [queued('e1'), queued('e2')], appendedAt: 1_700_000_000_000 },
      { position: '2', tenant: 'beta', events: [queued('e1')], appendedAt: 1_700_000_000_250 },
    ]);
  });

  it('names its newest record as head, "0" while empty', async () => {
    const log = new MemoryEventLog();
    expect(await log.head()).toBe('0');
    await log.append('acme', [queued('e1')]);
    await log.append('beta', [queued('e2')]);
    await log.append('acme', [queued('e1')]);
    expect(await log.head()).toBe('2');
    await log.close();
    await expect(log.head()).rejects.toBeInstanceOf(LogUnavailableError);
  });

  it('drops duplicates seen before and within the batch, per tenant', async () => {
    const log = new MemoryEventLog();
    await log.append('acme', [queued('e1')]);
    const result = await log.append('acme', [queued('e1'), queued('e2'), queued('e2', 1), queued('e3')]);
    expect(result).toEqual({ position: '2', accepted: 2, duplicates: 2, acceptedIds: ['e2', 'e3'] });
    // The first occurrence in the batch wins.
    expect(collect(log, '1')).toMatchObject([{ position: '2', tenant: 'acme', events: [queued('e2'), queued('e3')] }]);
  });

  it('answers an all-duplicate batch with the current head and appends nothing', async () => {
    const log = new MemoryEventLog();
    expect(await log.append('acme', [])).toEqual({ position: '0', accepted: 0, duplicates: 0, acceptedIds: [] });
    await log.append('acme', [queued('e1')]);
    await log.append('beta', [queued('e9')]);
    expect(await log.append('acme', [queued('e1'), queued('e1')])).toEqual({ position: '2', accepted: 0, duplicates: 2, acceptedIds: [] });
    expect(collect(log)).toHaveLength(2);
  });

  it('reads after a position, then follows new appends live', async () => {
    const log = new MemoryEventLog();
    await log.append('acme', [queued('e1')]);
    await log.append('acme', [queued('e2')]);
    const three = firstValueFrom(log.read('1').pipe(take(3), toArray()));
    await log.append('beta', [queued('e3')]);
    await log.append('acme', [queued('e2')]);
    await log.append('acme', [queued('e4')]);
    expect((await three).map((r) => [r.position, r.events.map((e) => e.id)])).toEqual([
      ['2', ['e2']],
      ['3', ['e3']],
      ['4', ['e4']],
    ]);
  });

  it('delivers a record appended by a subscriber while it catches up exactly once', async () => {
    const log = new MemoryEventLog();
    await log.append('acme', [queued('e1')]);
    const seen: string[] = [];
    const sub = log.read().subscribe((r) => {
      seen.push(r.position);
      if (r.position === '1') void log.append('acme', [queued('e2')]);
    });
    await log.append('acme', [queued('e3')]);
    sub.unsubscribe();
    expect(seen).toEqual(['1', '2', '3']);
  });

  it('trims records before a position and never one at or after it', async () => {
    const log = new MemoryEventLog();
    for (const id of ['e1', 'e2', 'e3', 'e4']) await log.append('acme', [queued(id)]);
    await log.trim('3');
    expect(collect(log).map((r) => r.position)).toEqual(['3', '4']);
    await log.trim('99');
    expect(collect(log)).toEqual([]);
    // Trimmed ids are still known: the dedupe outlives the records.
    expect((await log.append('acme', [queued('e1')])).duplicates).toBe(1);
    expect((await log.append('acme', [queued('e5')])).position).toBe('5');
  });

  it('completes readers on close and then refuses appends and pings', async () => {
    const log = new MemoryEventLog();
    await log.append('acme', [queued('e1')]);
    const all = firstValueFrom(log.read().pipe(toArray()));
    await log.close();
    expect((await all).map((r) => r.position)).toEqual(['1']);
    await expect(log.append('acme', [queued('e2')])).rejects.toBeInstanceOf(LogUnavailableError);
    await expect(log.ping()).rejects.toBeInstanceOf(LogUnavailableError);
    expect(await firstValueFrom(log.read().pipe(toArray()))).toHaveLength(1);
  });

  it('refuses an empty tenant and malformed positions', async () => {
    const log = new MemoryEventLog();
    await expect(log.append('', [queued('e1')])).rejects.toThrow(/tenant must be a non-empty string/);
    expect(() => log.read('01')).toThrow(InvalidPositionError);
    expect(() => log.read('0:1-0')).toThrow(InvalidPositionError);
    await expect(log.trim('-1')).rejects.toBeInstanceOf(InvalidPositionError);
  });
});

describe('comparePositions', () => {
  it('orders sequence positions numerically', () => {
    expect(comparePositions('9', '10')).toBeLessThan(0);
    expect(comparePositions('100', '99')).toBeGreaterThan(0);
    expect(comparePositions('42', '42')).toBe(0);
    expect(comparePositions('12345678901234567890', '12345678901234567891')).toBeLessThan(0);
  });

  it('orders stream positions of one partition by time, then sequence', () => {
    expect(comparePositions('2:1700000000000-9', '2:1700000000001-0')).toBeLessThan(0);
    expect(comparePositions('2:1700000000000-10', '2:1700000000000-9')).toBeGreaterThan(0);
    expect(comparePositions('0:5-5', '0:5-5')).toBe(0);
  });

  it('refuses positions of different partitions or formats', () => {
    expect(() => comparePositions('1:5-0', '2:5-0')).toThrow(/different partitions/);
    expect(() => comparePositions('5', '1:5-0')).toThrow(InvalidPositionError);
    expect(() => comparePositions('five', '5')).toThrow(InvalidPositionError);
  });
});

describe('advanceCursor', () => {
  it('keeps the later sequence position', () => {
    expect(advanceCursor(undefined, '7')).toBe('7');
    expect(advanceCursor('7', '12')).toBe('12');
    expect(advanceCursor('12', '7')).toBe('12');
  });

  it('moves one partition of a stream cursor and keeps the others, in partition order', () => {
    let cursor = advanceCursor(undefined, '2:100-0');
    cursor = advanceCursor(cursor, '0:50-1');
    expect(cursor).toBe('0:50-1,2:100-0');
    expect(advanceCursor(cursor, '2:100-1')).toBe('0:50-1,2:100-1');
    expect(advanceCursor(cursor, '2:99-7')).toBe('0:50-1,2:100-0');
  });

  it('refuses a cursor of the other kind or naming a partition twice', () => {
    expect(() => advanceCursor('0:1-0', '5')).toThrow(InvalidPositionError);
    expect(() => advanceCursor('0:1-0,0:2-0', '1:1-0')).toThrow(/partition 0 twice/);
  });
});

describe('cursorReached', () => {
  it('compares sequence cursors; nothing read reaches only the empty head', () => {
    expect(cursorReached(undefined, '0')).toBe(true);
    expect(cursorReached(undefined, '1')).toBe(false);
    expect(cursorReached('9', '10')).toBe(false);
    expect(cursorReached('10', '10')).toBe(true);
    expect(cursorReached('11', '10')).toBe(true);
  });

  it('needs every partition of a stream target, counting an unnamed partition as unread', () => {
    const head = '0:5-0,1:0-0,2:9-1';
    expect(cursorReached(undefined, head)).toBe(false);
    expect(cursorReached('0:5-0', head)).toBe(false);
    expect(cursorReached('0:5-0,2:9-1', head)).toBe(true);
    expect(cursorReached('0:6-0,1:1-0,2:10-0', head)).toBe(true);
    expect(cursorReached(undefined, '0:0-0,1:0-0')).toBe(true);
    // A record position as the target: has the reader at `head` delivered it?
    expect(cursorReached(head, '2:9-1')).toBe(true);
    expect(cursorReached(head, '2:9-2')).toBe(false);
    expect(cursorReached(head, '1:1-0')).toBe(false);
  });

  it('refuses a cursor of the other kind', () => {
    expect(() => cursorReached('0:1-0', '5')).toThrow(InvalidPositionError);
    expect(() => cursorReached('5', '0:1-0')).toThrow(InvalidPositionError);
  });
});
