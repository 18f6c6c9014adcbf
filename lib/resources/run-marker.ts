import { randomBytes } from 'node:crypto';

/** Marks test data: every record a factory builds carries `pwrun-<runId>-p<parallelIndex>-` in its unique field. */
export const RUN_MARKER_PREFIX = 'pwrun-';

/**
 * A fresh run id: the base-36 time in ms (`now`), then 64 random bits as 13 base-36 digits, so ids
 * made in the same millisecond on any number of machines do not collide. `runIdTime` reads the time
 * back.
 */
export function newRunId(now: number = Date.now()): string {
  // 36^13 > 2^64: any 64-bit value fits in 13 digits, so zero-padded the random part has a fixed width.
  const random = randomBytes(8).readBigUInt64BE().toString(36).padStart(13, '0');
  return `${now.toString(36)}${random}`;
}

/** The marker of one worker slot of a run: `pwrun-<runId>-p<parallelIndex>-`. */
export function runMarker(runId: string, parallelIndex: number): string {
  return `${RUN_MARKER_PREFIX}${runId}-p${parallelIndex}-`;
}

/**
 * A strict regex for the tag a factory writes into a record's unique field, the worker slot's
 * marker followed by the worker and a counter: `pwrun-<runId>-p<n>-w<k>-<c>`, in lower case. Group 1
 * is the run id. `before` and `after` are regex sources the tag must sit between (default: none), so
 * a caller can require the tag exactly where a resource puts it: `runTagPattern('^.*\\+', '@example\\.com$')`.
 */
export function runTagPattern(before = '', after = ''): RegExp {
  return new RegExp(`${before}${RUN_MARKER_PREFIX}([a-z0-9]+)-p\\d+-w\\d+-\\d+${after}`);
}

/** `Date.now().toString(36)` has 8 digits from mid-1972 to mid-2059. */
const RUN_ID_TIME_DIGITS = 8;

/**
 * When a run id was made (ms since the epoch), read from its base-36 time prefix; undefined when it
 * is not a run id. Reads the first 8 digits, which also fits ids made before the random part grew
 * to 64 bits (6 hex digits then, 13 base-36 digits now).
 */
export function runIdTime(runId: string): number | undefined {
  if (!/^[a-z0-9]+$/.test(runId) || runId.length <= RUN_ID_TIME_DIGITS) return undefined;
  return Number.parseInt(runId.slice(0, RUN_ID_TIME_DIGITS), 36);
}
