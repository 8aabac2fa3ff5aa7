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
    for (const k of Object.keys(fields)) if (k !== 'slot') fields[k] = changed(fields[k]);
    table.nums.fill(1, first.slot * CONTACT_WIDTH, (first.slot + 1) * CONTACT_WIDTH);
    table.remove(first);

    const reused = table.add('c2');
    const fresh = new ContactTable();
    const made = fresh.add('c2');
    expect(reused).toBe(first);
    expect({ ...reused }).toEqual({ ...made });
    expect(table.nums.slice(reused.slot * CONTACT_WIDTH, (reused.slot + 1) * CONTACT_WIDTH)).toEqual(
      fresh.nums.slice(made.slot * CONTACT_WIDTH, (made.slot + 1) * CONTACT_WIDTH),
    );
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
});
