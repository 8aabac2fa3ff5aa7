/** Small SQL and time helpers shared by the store's modules. */

/** Selects a timestamptz column as an ISO-8601 UTC string with milliseconds, under its own name. */
export function isoColumn(column: string): string {
  return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS ${column}`;
}

/** Epoch ms as an ISO-8601 UTC string. */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
