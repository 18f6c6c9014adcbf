import { setTimeout as sleep } from 'node:timers/promises';

import { ApiError } from '../http/api-errors';

/** How long and how often reads are retried while waiting for a write to become visible. */
export interface ConsistencyOptions {
  timeoutMs: number;
  /** Poll intervals, tight first; the last repeats. */
  intervalsMs: number[];
  /** Longest time a committed write may stay invisible to reads. */
  readLagMs: number;
}

/** A write that stayed invisible to reads (or a deletion that did) for the whole consistency window. */
export class ConsistencyError extends ApiError {}

/**
 * Reads until `done`, at the consistency window's intervals (tight first, the last repeating), and
 * returns the read that was; once the window has passed, throws what `failure` makes of the last
 * read. An error of a read (a status after retries, a transport failure) ends the wait at once.
 */
export async function pollUntil<T>(
  consistency: Pick<ConsistencyOptions, 'timeoutMs' | 'intervalsMs'>,
  read: () => Promise<T>,
  done: (value: T) => boolean,
  failure: (last: T, reads: string) => Error,
): Promise<T> {
  const { timeoutMs, intervalsMs } = consistency;
  const started = performance.now();
  for (let reads = 1; ; reads += 1) {
    const value = await read();
    if (done(value)) return value;
    const left = started + timeoutMs - performance.now();
    if (left <= 0) {
      const took = Math.round(performance.now() - started);
      throw failure(value, `${reads} read${reads === 1 ? '' : 's'} in ${took} ms`);
    }
    await sleep(Math.min(intervalsMs[Math.min(reads - 1, intervalsMs.length - 1)] ?? 0, left));
  }
}

/** Whether `actual` has every field of `expected`, recursively, as `toMatchObject` checks a record. */
export function matchesSubset(actual: unknown, expected: unknown): boolean {
  if (Array.isArray(expected))
    return (
      Array.isArray(actual) &&
      actual.length === expected.length &&
      expected.every((item, i) => matchesSubset(actual[i], item))
    );
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object') return false;
    const fields = actual as Record<string, unknown>;
    return Object.entries(expected).every(([key, value]) => matchesSubset(fields[key], value));
  }
  return Object.is(actual, expected);
}
