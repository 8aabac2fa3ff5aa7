/**
 * The rollup tables' columns (migrations/0003_rollups.sql) and the row fields they hold, in one
 * place for the writer's upserts and the history's sums.
 */
import { ABANDONED_WITHIN_SEC, ANSWERED_WITHIN_SEC, type AgentIntervalRow, type QueueIntervalRow } from '../engine/index.js';

type NumericKeys<T> = { [K in keyof T]: T[K] extends number ? K : never }[keyof T];

/** camelCase field → snake_case column. */
export function columnOf(field: string): string {
  return field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** Queue counters summed over intervals (maxWaitMs is taken as a maximum instead). */
export const QUEUE_SUMMED = [
  'offered',
  'answered',
  'answeredInSl',
  'abandoned',
  'shortAbandoned',
  'flowedOut',
  'handled',
  'waitAnsweredMs',
  'waitAbandonedMs',
  'talkMs',
  'holdMs',
  'acwMs',
  'csatSum',
  'csatCount',
  'csatPositive',
] as const satisfies readonly Exclude<NumericKeys<QueueIntervalRow>, 'intervalStart' | 'maxWaitMs'>[];

export const answeredWithinColumn = (sec: number): string => `answered_within_${sec}s`;
export const abandonedWithinColumn = (sec: number): string => `abandoned_within_${sec}s`;
export const ANSWERED_WITHIN_COLUMNS = ANSWERED_WITHIN_SEC.map(answeredWithinColumn);
export const ABANDONED_WITHIN_COLUMNS = ABANDONED_WITHIN_SEC.map(abandonedWithinColumn);

/** Agent counters and time in state, all summed over intervals. */
export const AGENT_SUMMED = [
  'handled',
  'talkMs',
  'holdMs',
  'acwMs',
  'csatSum',
  'csatCount',
  'csatPositive',
  'availableMs',
  'onContactMs',
  'acwTimeMs',
  'offlineMs',
] as const satisfies readonly Exclude<NumericKeys<AgentIntervalRow>, 'intervalStart'>[];

export type QueueSummedField = (typeof QUEUE_SUMMED)[number];
export type AgentSummedField = (typeof AGENT_SUMMED)[number];
