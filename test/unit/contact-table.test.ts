/**
 * The contact table reuses a released contact's row and object for the next new contact: the
 * reused one must be indistinguishable from a contact made new.
 */
import { describe, expect, it } from 'vitest';
import { CONTACT_WIDTH, ContactTable } from '../../src/engine/contact.js';

/** A value of another kind than the field's initial one, so a field `reset` missed stays visibly changed. */
function changed(v: unknown): unknown {
  if (typeof v === 'string') return `${v}-changed`;
  if (typeof v === 'boolean') return !v;
  if (typeof v === 'number') return v + 7;
  return 'changed';
}

describe('ContactTable', () => {
  it("gives a released contact's row and object to the next contact exactly as a new one", () => {
    const table = new ContactTable();
    const first = table.add('c1');
    const fields = first as unknown as Record<string, unknown>;
    for (const k of Object.keys(fields)) if (!['slot', 'nums', 'row'].includes(k)) fields[k] = changed(fields[k]);
    first.nums.fill(1, first.row, first.row + CONTACT_WIDTH);
    table.remove(first);

    const reused = table.add('c2');
    const fresh = new ContactTable();
    const made = fresh.add('c2');
    expect(reused).toBe(first);
    const { nums: reusedNums, row: reusedRow, ...reusedFields } = reused;
    const { nums: madeNums, row: madeRow, ...madeFields } = made;
    expect(reusedFields).toEqual(madeFields);
    expect(reusedNums.slice(reusedRow, reusedRow + CONTACT_WIDTH)).toEqual(madeNums.slice(madeRow, madeRow + CONTACT_WIDTH));
  });

  it('gives every open contact a row of its own', () => {
    const table = new ContactTable();
    const a = table.add('a');
    const b = table.add('b');
    table.remove(a);
    const c = table.add('c');
    const d = table.add('d');
    expect(new Set([b.slot, c.slot, d.slot]).size).toBe(3);
    expect([b.id, c.id, d.id]).toEqual(['b', 'c', 'd']);
  });

  it('adds chunks of rows as it fills, never moving a contact\'s row', () => {
    const table = new ContactTable();
    const contacts = Array.from({ length: 300 }, (_, i) => table.add(`c${i}`));
    contacts.forEach((c, i) => c.nums.fill(i, c.row, c.row + CONTACT_WIDTH));
    for (let i = 0; i < 300; i++) table.add(`more${i}`);
    contacts.forEach((c, i) => expect([...c.nums.subarray(c.row, c.row + CONTACT_WIDTH)]).toEqual(new Array(CONTACT_WIDTH).fill(i)));
    const places = new Set(contacts.map((c) => `${contacts.findIndex((o) => o.nums === c.nums)}:${c.row}`));
    expect(places.size).toBe(300);
    expect(new Set(contacts.map((c) => c.nums)).size).toBe(3);
  });
});
