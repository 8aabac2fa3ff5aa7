/**
 * Room in a Float64Array of rows of `stride` numbers for at least `rows` rows: the array itself
 * when it has it, else a copy grown by half (and to at least `initial` rows), so appending costs
 * O(1) amortised. The engine keeps its per-entity tables this way (timelines, counter series,
 * contacts' numbers, released contacts) rather than as an object per row.
 */
export function room(a: Float64Array<ArrayBuffer>, rows: number, stride: number, initial = 0): Float64Array<ArrayBuffer> {
  if (a.length >= rows * stride) return a;
  const next = new Float64Array(Math.max(rows, initial, Math.ceil((a.length / stride) * 1.5)) * stride);
  next.set(a);
  return next;
}
