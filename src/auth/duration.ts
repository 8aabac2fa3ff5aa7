const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;

/** '90s' | '30m' | '8h' | '2d' → seconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+)([smhd])$/.exec(text);
  const amount = match?.[1];
  const unit = match?.[2] as keyof typeof UNIT_SECONDS | undefined;
  if (amount === undefined || unit === undefined) {
    throw new Error(`invalid duration ${JSON.stringify(text)}: expected a whole number followed by s, m, h or d (e.g. 90s, 30m, 8h, 2d)`);
  }
  const seconds = Number(amount) * UNIT_SECONDS[unit];
  if (seconds <= 0 || !Number.isSafeInteger(seconds)) {
    throw new Error(`invalid duration ${JSON.stringify(text)}: must be greater than zero and finite`);
  }
  return seconds;
}
