import { fieldDifferences, jsonEqual, show } from './json';

/**
 * What mockapi.io's contract says about a list query, as predictions a response can be checked
 * against (`docs/mockapi-semantics.md`; never the embedded server's code). Where the
 * contract is silent, the prediction admits every plausible answer rather than guess one:
 *
 * - a field filter matches by case-insensitive substring on a string field; a field that is absent
 *   does not match; a number, boolean, null or nested value may or may not (the contract does not say);
 * - search matches when any string field other than `id` and `createdAt` contains the term, case
 *   aside; a term found only in `id`, `createdAt` or a non-string value may or may not match;
 * - a filter and search together must both match;
 * - `page` is 1-based and counts pages of `limit` records; a page past the end is empty;
 * - `sortBy` orders by the field's value: two numbers by value, two strings when every plausible
 *   collation (code units, locale, case-folded, numeric-aware) agrees; anything else (ties, mixed
 *   types, missing values) may come in either order. Without `sortBy` the order is unspecified;
 * - a query that matches nothing answers `404 "Not found"`.
 */

/** A record as the model holds it: the server's id and every field it must show. */
export type ModelRecord = { id: string } & Record<string, unknown>;

/** A list query of the model: the scope filter is added by whoever sends it. */
export interface ModelQuery {
  /** One field filter besides the scope's (`?name=ann`). */
  filter?: { field: string; value: string };
  search?: string;
  sortBy?: string;
  order?: 'asc' | 'desc';
  page?: number;
  limit?: number;
}

/** Whether a record matches: certainly, certainly not, or the contract does not say. */
export type Verdict = 'yes' | 'no' | 'maybe';

/** Fields no search is known to cover: the server's own. */
const SERVER_FIELDS = new Set(['id', 'createdAt']);

/** Case-insensitive substring match; 'maybe' where lower- and upper-casing disagree (ß, İ, …). */
export function containsIgnoringCase(haystack: string, needle: string): Verdict {
  const lower = haystack.toLowerCase().includes(needle.toLowerCase());
  const upper = haystack.toUpperCase().includes(needle.toUpperCase());
  if (lower && upper) return 'yes';
  if (!lower && !upper) return 'no';
  return 'maybe';
}

/** Whether `?field=value` selects the record. */
export function matchesFilter(record: ModelRecord, field: string, value: string): Verdict {
  if (!Object.hasOwn(record, field)) return 'no';
  const stored = record[field];
  if (typeof stored === 'string') return containsIgnoringCase(stored, value);
  // A number, boolean, null or nested value: the contract does not say how it is compared.
  return 'maybe';
}

/** Whether `?search=term` selects the record. */
export function matchesSearch(record: ModelRecord, term: string): Verdict {
  let verdict: Verdict = 'no';
  for (const [field, value] of Object.entries(record)) {
    if (typeof value === 'string' && !SERVER_FIELDS.has(field)) {
      const match = containsIgnoringCase(value, term);
      if (match === 'yes') return 'yes';
      if (match === 'maybe') verdict = 'maybe';
    } else {
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      if (containsIgnoringCase(text, term) !== 'no') verdict = 'maybe';
    }
  }
  return verdict;
}

/** Whether the query's filter and search select the record. */
export function matchesQuery(record: ModelRecord, query: ModelQuery): Verdict {
  const verdicts = [
    query.filter === undefined
      ? 'yes'
      : matchesFilter(record, query.filter.field, query.filter.value),
    query.search === undefined ? 'yes' : matchesSearch(record, query.search),
  ];
  if (verdicts.includes('no')) return 'no';
  return verdicts.includes('maybe') ? 'maybe' : 'yes';
}

const NUMERIC = /^-?\d+(\.\d+)?$/;

/** Every collation a backend might sort strings with; a string order is certain when all agree. */
const STRING_ORDERS: ((a: string, b: string) => number)[] = [
  (a, b) => (a < b ? -1 : a > b ? 1 : 0),
  (a, b) => a.localeCompare(b),
  (a, b) => a.localeCompare(b, 'en', { sensitivity: 'base' }),
  (a, b) => a.localeCompare(b, 'en', { numeric: true }),
  (a, b) => {
    const [x, y] = [a.toLowerCase(), b.toLowerCase()];
    return x < y ? -1 : x > y ? 1 : 0;
  },
  (a, b) => {
    const [x, y] = [a.toUpperCase(), b.toUpperCase()];
    return x < y ? -1 : x > y ? 1 : 0;
  },
];

/** Whether `a` sorts strictly before `b` under every plausible ordering (ascending). */
export function certainlyLess(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a < b;
  if (typeof a !== 'string' || typeof b !== 'string') return false;
  if (!STRING_ORDERS.every((order) => order(a, b) < 0)) return false;
  return !(NUMERIC.test(a) && NUMERIC.test(b)) || Number(a) < Number(b);
}

/** Whether the query's sort certainly puts `a` before `b`. */
export function certainlyBefore(a: ModelRecord, b: ModelRecord, query: ModelQuery): boolean {
  const field = query.sortBy;
  if (field === undefined) return false;
  const [x, y] = [own(a, field), own(b, field)];
  return query.order === 'desc' ? certainlyLess(y, x) : certainlyLess(x, y);
}

/** What a list query must answer, given the records in scope. */
export interface ListPrediction {
  query: ModelQuery;
  /** Records that certainly match, in the model's (creation) order. */
  certain: ModelRecord[];
  /** Records the contract lets match or not. */
  possible: ModelRecord[];
  /** The fewest and most records the page may hold; 0 means `404 "Not found"` is allowed. */
  minSize: number;
  maxSize: number;
}

/** The prediction of a query over `records` (the scope's, in creation order). */
export function predictList(records: readonly ModelRecord[], query: ModelQuery): ListPrediction {
  const certain: ModelRecord[] = [];
  const possible: ModelRecord[] = [];
  for (const record of records) {
    const verdict = matchesQuery(record, query);
    if (verdict === 'yes') certain.push(record);
    else if (verdict === 'maybe') possible.push(record);
  }
  return {
    query,
    certain,
    possible,
    minSize: pageSize(certain.length, query),
    maxSize: pageSize(certain.length + possible.length, query),
  };
}

/** How many of `total` matching records the query's page holds. */
export function pageSize(total: number, query: ModelQuery): number {
  if (query.limit === undefined) return total;
  const offset = ((query.page ?? 1) - 1) * query.limit;
  return Math.max(0, Math.min(query.limit, total - offset));
}

/**
 * Checks a list response against a prediction; returns what is wrong with it (empty when nothing).
 * `body` is the parsed JSON body.
 */
export function checkList(prediction: ListPrediction, status: number, body: unknown): string[] {
  const { query, certain, possible, minSize, maxSize } = prediction;
  const expectedSize = minSize === maxSize ? `${minSize}` : `${minSize} to ${maxSize}`;
  if (status === 404) {
    if (minSize > 0) return [`answered 404 where ${expectedSize} record(s) match`];
    return body === 'Not found' ? [] : [`answered 404 with ${show(body)}, expected "Not found"`];
  }
  if (status !== 200) return [`answered ${status}, expected 200 or 404`];
  if (!Array.isArray(body)) return [`answered ${show(body)}, expected a JSON array`];
  const problems: string[] = [];
  if (body.length === 0) problems.push('answered 200 [] where mockapi.io answers 404 "Not found"');
  if (body.length < minSize || body.length > maxSize)
    problems.push(`answered ${body.length} record(s), expected ${expectedSize}`);

  const members = new Map([...certain, ...possible].map((r) => [r.id, r]));
  const listed: ModelRecord[] = [];
  const seen = new Set<string>();
  for (const item of body as unknown[]) {
    const id = isRecord(item) ? item.id : undefined;
    const record = typeof id === 'string' ? members.get(id) : undefined;
    if (typeof id !== 'string' || record === undefined) {
      problems.push(`listed ${show(item, 200)}, which the query does not select`);
      continue;
    }
    if (seen.has(id)) problems.push(`listed user ${id} twice`);
    seen.add(id);
    listed.push(record);
    const differences = fieldDifferences(record, item as Record<string, unknown>);
    if (!jsonEqual(record, item))
      problems.push(`listed user ${id} as stored differently: ${differences.join('; ')}`);
  }

  // Where each certain match may stand in the full sorted result, and whether this page must
  // (or must not) hold it.
  const all = [...certain, ...possible];
  const offset = query.limit === undefined ? 0 : ((query.page ?? 1) - 1) * query.limit;
  const last = query.limit === undefined ? Number.POSITIVE_INFINITY : offset + query.limit - 1;
  for (const record of certain) {
    const lo = certain.filter((other) => certainlyBefore(other, record, query)).length;
    const hi = all.length - 1 - all.filter((other) => certainlyBefore(record, other, query)).length;
    const onPage = seen.has(record.id);
    if (!onPage && lo >= offset && hi <= last)
      problems.push(
        `left out user ${record.id}, which belongs on this page (rank ${rank(lo, hi)})`,
      );
    if (onPage && (hi < offset || lo > last))
      problems.push(
        `listed user ${record.id}, which belongs on another page (rank ${rank(lo, hi)})`,
      );
  }
  for (let i = 0; i < listed.length; i += 1) {
    for (let j = i + 1; j < listed.length; j += 1) {
      const [earlier, later] = [listed[i], listed[j]];
      if (earlier !== undefined && later !== undefined && certainlyBefore(later, earlier, query))
        problems.push(
          `listed user ${earlier.id} (${query.sortBy} ${show(own(earlier, query.sortBy ?? ''), 40)}) before user ${later.id} (${show(own(later, query.sortBy ?? ''), 40)}) with order=${query.order ?? 'asc'}`,
        );
    }
  }
  return problems;
}

const rank = (lo: number, hi: number) => (lo === hi ? `${lo + 1}` : `${lo + 1} to ${hi + 1}`);

function own(record: ModelRecord, field: string): unknown {
  return Object.hasOwn(record, field) ? record[field] : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
