import type { ApiRecord, Resource } from '../../lib/resources/resource';
import type { AnyResourceApi } from '../../lib/resources/resource-api';
import { englishFaker } from '../../lib/resources/resource-factory';
import { RUN_MARKER_PREFIX, runIdTime, runTagPattern } from '../../lib/resources/run-marker';

/** Run ids older than this are not ours: the suite did not exist yet. */
const EARLIEST_RUN = Date.UTC(2020, 0, 1);
/** Clocks of other machines may run ahead, but not by this much. */
const CLOCK_SKEW_MS = 86_400_000;

/** A tag in the factories' shape, to see where a resource's `build` puts it. */
const SAMPLE_TAG = `${RUN_MARKER_PREFIX}0sample0-p0-w0-1`;

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * How a resource's unique field carries the suite's tag, read off the resource's own `build`: after
 * the same separator (`+` in a user's email, a space in a post's title) and followed by the same
 * fixed text (`@example.com`, or nothing). The API's filter is a case-insensitive substring match,
 * so this is what decides; a value of any other shape is someone else's.
 */
export function markedValuePattern(resource: Resource): RegExp {
  const value = resource.build({ faker: englishFaker(), tag: SAMPLE_TAG })[resource.uniqueField];
  if (typeof value !== 'string' || !value.includes(SAMPLE_TAG))
    throw new Error(`${resource.name}: its build does not put the tag in ${resource.uniqueField}`);
  const [before = '', after = ''] = value.split(SAMPLE_TAG);
  const separator = before.at(-1);
  return runTagPattern(
    separator === undefined ? '^' : `^.*${escapeRegExp(separator)}`,
    `${escapeRegExp(after)}$`,
  );
}

export type Verdict =
  /** Marked by a run at least the threshold old: to be deleted. */
  | { kind: 'leftover'; record: ApiRecord; ageMs: number }
  /** Marked by a run younger than the threshold, which may still be running. */
  | { kind: 'recent'; record: ApiRecord; ageMs: number }
  /** Marked, but the run id's time is not a plausible time: left alone. */
  | { kind: 'unreadable'; record: ApiRecord }
  /** Not the suite's marker at all (the API's substring match is loose). */
  | { kind: 'foreign'; record: ApiRecord };

/**
 * Sorts a record whose unique field matched `pwrun-` into what the janitor may do with it. The age
 * is the run's, read from the run id's time: that is our own data, where `createdAt` belongs to the
 * backend, and every record of one run shares it, so a run's records go together.
 */
export function classify(
  record: ApiRecord,
  field: string,
  marked: RegExp,
  olderThanMs: number,
  now: number,
): Verdict {
  const value = record[field];
  const runId = typeof value === 'string' ? marked.exec(value)?.[1] : undefined;
  if (runId === undefined) return { kind: 'foreign', record };
  const started = runIdTime(runId);
  if (started === undefined || started < EARLIEST_RUN || started > now + CLOCK_SKEW_MS)
    return { kind: 'unreadable', record };
  const ageMs = now - started;
  return ageMs >= olderThanMs
    ? { kind: 'leftover', record, ageMs }
    : { kind: 'recent', record, ageMs };
}

/**
 * Every record of `api`, or with `markedOnly` every one whose unique field contains `pwrun-` (any
 * case), page by page. All pages are read before anything is deleted, since deleting shifts later
 * pages. Stops at a short page, or at a page that brings nothing new (a server ignoring `page`
 * would otherwise repeat forever).
 */
export async function listAll(
  api: AnyResourceApi,
  options: { markedOnly?: boolean; limit?: number } = {},
): Promise<ApiRecord[]> {
  const limit = options.limit ?? 100;
  const filters =
    options.markedOnly === true ? { [api.resource.uniqueField]: RUN_MARKER_PREFIX } : {};
  const found = new Map<string, ApiRecord>();
  for (let page = 1; ; page += 1) {
    const batch = (await api.list({ filters, page, limit })) as ApiRecord[];
    const before = found.size;
    for (const record of batch) found.set(record.id, record);
    if (batch.length < limit || found.size === before) break;
  }
  return [...found.values()];
}

/** `3d 4h`, `5h 12m`, `42m`, `30s`: the two largest units of an age. */
export function formatAge(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const parts: [number, string][] = [
    [Math.floor(seconds / 86_400), 'd'],
    [Math.floor(seconds / 3_600) % 24, 'h'],
    [Math.floor(seconds / 60) % 60, 'm'],
    [seconds % 60, 's'],
  ];
  const first = parts.findIndex(([value]) => value > 0);
  if (first === -1) return '0s';
  return parts
    .slice(first, first + 2)
    .filter(([value]) => value > 0)
    .map(([value, unit]) => `${value}${unit}`)
    .join(' ');
}
