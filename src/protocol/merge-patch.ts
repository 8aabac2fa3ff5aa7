/**
 * RFC 7396 JSON Merge Patch: the `changes` of an `update` frame (SPEC §6).
 *
 * A merge patch cannot carry a `null` value: `null` means "remove the key". Our topic objects
 * do hold nulls (`serviceLevel: null`), so the protocol treats a missing key and a null value
 * as the same thing ("a removed key means null"). Hence `diffMergePatch` emits `null` for a key
 * whose new value is null, `applyMergePatch` removes it, and readers take a missing key as
 * null. Under that reading the round trip is exact: applying `diffMergePatch(a, b)` to `a`
 * gives `b` up to null-valued keys.
 *
 * Both functions run per topic every update interval over snapshot-sized objects, so they walk
 * the objects once, compare without serialising, and allocate only for what changed.
 */
import type { MergePatch } from './index.js';

type JsonObject = Record<string, unknown>;

const EMPTY: JsonObject = Object.freeze({});

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The own value of `key`, so that inherited names (`toString`, `__proto__`) read as absent.
 * Only a function (never JSON) or `__proto__` can be inherited from Object.prototype, so the
 * ownership check runs only then: a plain read is the hot path.
 */
function own(obj: JsonObject, key: string): unknown {
  const value = obj[key];
  if (typeof value === 'function' || key === '__proto__') return Object.hasOwn(obj, key) ? value : undefined;
  return value;
}

/** Assignment that keeps `__proto__` an ordinary key (ids come from producers). */
function put(obj: JsonObject, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    obj[key] = value;
  }
}

/** Deep equality of JSON values, without serialising. */
function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ao = a as JsonObject;
  const bo = b as JsonObject;
  let count = 0;
  for (const key in ao) {
    const bv = own(bo, key);
    if (bv === undefined || !jsonEqual(ao[key], bv)) return false;
    count++;
  }
  for (const _ in bo) count--;
  return count === 0;
}

function diffObjects(prev: JsonObject, next: JsonObject): MergePatch | undefined {
  let patch: MergePatch | undefined;
  let shared = 0;
  for (const key in next) {
    const n = next[key];
    const p = own(prev, key);
    if (p !== undefined) shared++;
    if (n === p) continue;
    let change: unknown;
    if (n == null) {
      // Null and absent are the same state: only a non-null value going away is a change.
      if (p == null) continue;
      change = null;
    } else if (isObject(n)) {
      // Over a non-object (or none) the object goes as it is, shared: see diffMergePatch.
      change = isObject(p) ? diffObjects(p, n) : n;
    } else if (Array.isArray(n)) {
      change = Array.isArray(p) && jsonEqual(p, n) ? undefined : n;
    } else {
      change = n;
    }
    if (change !== undefined) put((patch ??= {}), key, change);
  }
  // Keys of prev missing from next; usually none, and counting is cheaper than looking each up.
  let prevKeys = 0;
  for (const _ in prev) prevKeys++;
  if (prevKeys !== shared) {
    for (const key in prev) {
      if (prev[key] != null && own(next, key) === undefined) put((patch ??= {}), key, null);
    }
  }
  return patch;
}

/**
 * The merge patch that turns `prev` into `next`, or undefined when they are equal (null-valued
 * keys count as absent). Objects are diffed key by key; arrays and primitives are replaced
 * whole. `next` is a topic object, so it must be a JSON object. An object where `prev` has
 * none (a new agent, or no state yet at all) is the patch itself, shared with `next` and not
 * copied, null-valued keys included: applied over nothing they read as absent, which is what
 * the protocol says of a null, and a view's first update is every agent's whole object. The
 * patch is therefore read-only, as topic objects are.
 */
export function diffMergePatch(prev: unknown, next: unknown): MergePatch | undefined {
  if (!isObject(next)) {
    throw new TypeError('diffMergePatch: next must be a JSON object, since a merge patch is one');
  }
  return isObject(prev) ? diffObjects(prev, next) : (next as MergePatch);
}

function applyValue(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const base = isObject(target) ? target : EMPTY;
  const result: JsonObject = {};
  for (const key in base) {
    if (own(patch, key) !== null) put(result, key, base[key]);
  }
  for (const key in patch) {
    const value = patch[key];
    if (value != null) put(result, key, applyValue(own(base, key), value));
  }
  return result;
}

/**
 * RFC 7396 apply. Returns a new value and never mutates `target` or `patch`; subtrees the
 * patch does not touch are shared with `target`, and values the patch sets are shared with it.
 * The result is typed as `target`: the caller vouches that the patch keeps its shape.
 */
export function applyMergePatch<T>(target: T, patch: MergePatch): T {
  return applyValue(target, patch) as T;
}
