import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MergePatch } from '../../src/protocol/index.js';
import { applyMergePatch, diffMergePatch } from '../../src/protocol/merge-patch.js';

/** What the protocol promises equality up to: null-valued keys are absent keys; -0 is 0. */
function normalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalize);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    // Keys sorted: JSON objects are unordered, and the text comparisons below must not see order.
    for (const [key, v] of Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (v !== null) Object.defineProperty(out, key, { value: normalize(v), enumerable: true });
    }
    return out;
  }
  return Object.is(value, -0) ? 0 : value;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** Applies diff(a, b) to a frozen a, checking that neither input is touched. */
function roundTrip(a: Record<string, unknown>, b: Record<string, unknown>): unknown {
  const aBefore = structuredClone(a);
  const bBefore = structuredClone(b);
  const patch = diffMergePatch(a, b);
  const out = patch === undefined ? a : applyMergePatch(deepFreeze(a), patch);
  expect(a).toEqual(aBefore);
  expect(b).toEqual(bBefore);
  return out;
}

describe('applyMergePatch: RFC 7396 appendix A', () => {
  // The appendix's cases whose patch is an object; a non-object patch is outside MergePatch.
  it.each([
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
    ['text', { a: 1 }, { a: 1 }],
    [null, { a: { b: null, c: 2 } }, { a: { c: 2 } }],
  ])('%j + %j = %j', (target, patch, expected) => {
    expect(applyMergePatch<unknown>(target, patch)).toEqual(expected);
  });

  it('keeps key order: kept keys in place, new keys last', () => {
    const out = applyMergePatch({ a: 1, b: 2, c: 3 }, { d: 4, a: 0, b: null });
    expect(Object.keys(out)).toEqual(['a', 'c', 'd']);
  });
});

describe('applyMergePatch: no mutation, structural sharing', () => {
  it('never mutates the target or the patch, and shares untouched subtrees', () => {
    const target = deepFreeze({ q: { sales: { waiting: 1, w: { n: 1 } }, support: { waiting: 2 } }, list: [1, 2] });
    const patch = deepFreeze({ q: { sales: { waiting: 3 }, gone: null }, extra: { x: [1] } });
    const out = applyMergePatch<Record<string, unknown>>(target, patch);
    expect(out).toEqual({
      q: { sales: { waiting: 3, w: { n: 1 } }, support: { waiting: 2 } },
      list: [1, 2],
      extra: { x: [1] },
    });
    expect(out).not.toBe(target);
    const q = out.q as typeof target.q;
    expect(q.support).toBe(target.q.support);
    expect(q.sales.w).toBe(target.q.sales.w);
    expect(out.list).toBe(target.list);
  });

  it('treats __proto__ as an ordinary key', () => {
    const target = JSON.parse('{"__proto__": {"a": 1}, "b": 1}') as Record<string, unknown>;
    const patch = JSON.parse('{"__proto__": {"a": 2}}') as MergePatch;
    const out = applyMergePatch(target, patch);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(out, '__proto__')?.value).toEqual({ a: 2 });
    expect(out.b).toBe(1);
  });

  it('does not mistake inherited names for keys of the target', () => {
    expect(applyMergePatch<unknown>({}, { toString: { a: 1 } })).toEqual({ toString: { a: 1 } });
  });
});

describe('diffMergePatch', () => {
  it('is undefined when nothing changed', () => {
    const a = { x: 1, y: { z: [1, { k: 'v' }] }, n: null };
    expect(diffMergePatch(a, a)).toBeUndefined();
    expect(diffMergePatch(a, structuredClone(a))).toBeUndefined();
    expect(diffMergePatch({ x: 1, n: null }, { x: 1 })).toBeUndefined();
    expect(diffMergePatch({ x: 1 }, { x: 1, n: null })).toBeUndefined();
  });

  it('sends changed and added keys, and null for removed keys', () => {
    expect(diffMergePatch({ a: 1, b: 2, c: 3 }, { a: 1, b: 20, d: 4 })).toEqual({ b: 20, c: null, d: 4 });
  });

  it('sends null for a key whose value became null', () => {
    const patch = diffMergePatch({ serviceLevel: 88.2, offered: 4 }, { serviceLevel: null, offered: 4 });
    expect(patch).toEqual({ serviceLevel: null });
    expect(applyMergePatch({ serviceLevel: 88.2, offered: 4 }, patch ?? {})).toEqual({ offered: 4 });
  });

  it('diffs nested objects down to the changed leaves', () => {
    const prev = { queues: { sales: { waiting: 1, agents: { available: 2, aux: 1 } }, support: { waiting: 0 } } };
    const next = { queues: { sales: { waiting: 2, agents: { available: 2, aux: 0 } }, support: { waiting: 0 } } };
    expect(diffMergePatch(prev, next)).toEqual({ queues: { sales: { waiting: 2, agents: { aux: 0 } } } });
  });

  it('replaces arrays whole, and only when their contents differ', () => {
    expect(diffMergePatch({ q: ['a', 'b'] }, { q: ['a', 'b'] })).toBeUndefined();
    expect(diffMergePatch({ q: ['a', 'b'] }, { q: ['a', 'c'] })).toEqual({ q: ['a', 'c'] });
    expect(diffMergePatch({ q: ['a', 'b'] }, { q: ['a'] })).toEqual({ q: ['a'] });
    expect(diffMergePatch({ q: [{ a: 1 }] }, { q: [{ a: 1 }] })).toBeUndefined();
    expect(diffMergePatch({ q: [{ a: 1 }] }, { q: [{ a: 1, b: null }] })).toEqual({ q: [{ a: 1, b: null }] });
    expect(diffMergePatch({ q: [[1]] }, { q: [[2]] })).toEqual({ q: [[2]] });
    expect(diffMergePatch({ q: { 0: 'a' } }, { q: ['a'] })).toEqual({ q: ['a'] });
    expect(diffMergePatch({ q: ['a'] }, { q: { 0: 'a' } })).toEqual({ q: { 0: 'a' } });
  });

  it('replaces a value by one of another kind', () => {
    expect(diffMergePatch({ a: { b: 1 } }, { a: 5 })).toEqual({ a: 5 });
    expect(diffMergePatch({ a: 5 }, { a: { b: 1, c: null } })).toEqual({ a: { b: 1, c: null } });
    expect(diffMergePatch({ a: '1' }, { a: 1 })).toEqual({ a: 1 });
    expect(diffMergePatch({ a: false }, { a: 0 })).toEqual({ a: 0 });
  });

  it('sends an empty object that replaces a non-object', () => {
    expect(diffMergePatch({ a: 5 }, { a: {} })).toEqual({ a: {} });
    expect(diffMergePatch({}, { a: {} })).toEqual({ a: {} });
    expect(diffMergePatch({ a: {} }, { a: {} })).toBeUndefined();
  });

  it('sends a new object whole, shared and not copied, its nulls reading as absent', () => {
    const next = { a: 1, b: null, c: { d: [] } };
    expect(diffMergePatch(undefined, next)).toBe(next);
    expect(diffMergePatch(null, {})).toEqual({});
    const added = { state: 'aux', contactId: null };
    expect(diffMergePatch({ agents: {} }, { agents: { a2: added } })?.['agents']).toEqual({ a2: added });
    expect((diffMergePatch({ agents: {} }, { agents: { a2: added } })?.['agents'] as Record<string, unknown>)['a2']).toBe(added);
    expect(applyMergePatch({ agents: {} }, { agents: { a2: added } })).toEqual({ agents: { a2: { state: 'aux' } } });
  });

  it('refuses a non-object next', () => {
    for (const next of [null, 1, 'x', [1], undefined]) {
      expect(() => diffMergePatch({}, next)).toThrow(/next must be a JSON object/);
    }
  });

  it('handles __proto__ and inherited names as ordinary keys', () => {
    const prev = JSON.parse('{"__proto__": {"a": 1}}') as unknown;
    const next = JSON.parse('{"__proto__": {"a": 2}, "toString": 1}') as unknown;
    const patch = diffMergePatch(prev, next);
    expect(JSON.stringify(patch)).toBe('{"__proto__":{"a":2},"toString":1}');
    expect(diffMergePatch({ toString: 1 }, {})).toEqual({ toString: null });
    expect(diffMergePatch({}, { constructor: { a: 1 } })).toEqual({ constructor: { a: 1 } });
  });

  it('does not mutate its inputs', () => {
    const prev = deepFreeze({ a: { b: 1, c: [1] }, d: 2 });
    const next = deepFreeze({ a: { b: 2, c: [1, 2] } });
    expect(diffMergePatch(prev, next)).toEqual({ a: { b: 2, c: [1, 2] }, d: null });
  });
});

describe('diff then apply round trip', () => {
  const anyObject = fc.dictionary(fc.string(), fc.jsonValue());

  /** Few keys and values, so that two draws overlap and nested diffs get exercised. */
  const { node } = fc.letrec<{ node: Record<string, unknown>; value: unknown }>((tie) => ({
    node: fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd'), tie('value'), { maxKeys: 4 }),
    value: fc.oneof(
      { depthSize: 'small' },
      fc.constantFrom(null, 0, 1, 'x', true, []),
      fc.array(fc.constantFrom(null, 1, 'x'), { maxLength: 2 }),
      tie('node'),
    ),
  }));

  it('restores any JSON object from any other, up to null-valued keys', () => {
    fc.assert(
      fc.property(anyObject, anyObject, (a, b) => {
        expect(normalize(roundTrip(a, b))).toEqual(normalize(b));
      }),
      { numRuns: 500 },
    );
  });

  it('restores overlapping nested objects, and is undefined exactly when they are equal', () => {
    fc.assert(
      fc.property(node, node, (a, b) => {
        expect(normalize(roundTrip(a, b))).toEqual(normalize(b));
        const same = JSON.stringify(normalize(a)) === JSON.stringify(normalize(b));
        expect(diffMergePatch(a, b) === undefined).toBe(same);
      }),
      { numRuns: 2000 },
    );
  });

  it('round-trips a snapshot-like object with null figures', () => {
    const window = (offered: number) => ({ offered, answered: offered, serviceLevel: offered ? 90 : null, asaSec: null });
    const prev = {
      tenant: 'acme',
      queues: { sales: { waiting: 2, oldestContactId: 'c1', windows: { '15m': window(3), today: window(9) } } },
      agents: { a1: { state: 'available', contactId: null, queues: ['sales'] } },
    };
    const next = {
      tenant: 'acme',
      queues: { sales: { waiting: 0, oldestContactId: null, windows: { '15m': window(0), today: window(9) } } },
      agents: { a1: { state: 'on_contact', contactId: 'c2', queues: ['sales'] }, a2: { state: 'aux', contactId: null, queues: [] } },
    };
    expect(diffMergePatch(prev, next)).toEqual({
      queues: { sales: { waiting: 0, oldestContactId: null, windows: { '15m': { offered: 0, answered: 0, serviceLevel: null } } } },
      agents: { a1: { state: 'on_contact', contactId: 'c2' }, a2: { state: 'aux', contactId: null, queues: [] } },
    });
    expect(normalize(roundTrip(prev, next))).toEqual(normalize(next));
  });
});
