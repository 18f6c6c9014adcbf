import { fieldDifferences, jsonEqual, show } from './json';

/**
 * What mockapi.io's contract says about a list query, as predictions a response can be checked
 * against (docs/model-semantics.md lists each rule, docs/mockapi-semantics.md the contract it comes
 * from; never the embedded server's code). Where the contract is silent, the prediction admits
 * every answer a faithful server could give rather than guess one:
 *
 * - a field filter matches by case-insensitive substring on a string field; a field that is absent
 *   does not match; a number, boolean, null or nested value may or may not (the contract does not say);
 * - search matches when any string field other than `id` and `createdAt` contains the term, case
 *   aside; a term found only in `id`, `createdAt` or a non-string value may or may not match;
 * - a filter and search together must both match;
 * - `page` and `limit` together: 1-based pages of `limit` records, a page past the end is empty;
 *   either one alone may be applied or ignored (see {@link pageWindows});
 * - `sortBy` orders by the field's value, ascending unless `order=desc`: two numbers by value, two
 *   strings when every plausible collation (code units, locale, case-folded, numeric-aware)
 *   agrees; anything else (ties, mixed types, missing values) may come in either order. Without
 *   `sortBy` the order is unspecified;
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
  /** The fewest and most records the page may hold, over every window; 0 allows `404 "Not found"`. */
  minSize: number;
  maxSize: number;
}

/**
 * A slice of the full, sorted result that a page may be: it starts at `offset` and holds at most
 * `size` records (`Infinity`: all the rest). `reading` names the reading of the query it stands for.
 */
export interface PageWindow {
  offset: number;
  size: number;
  reading: string;
}

/**
 * Every slice the contract lets a query's page be, given how many records match at most. The
 * contract defines `page` and `limit` only together (`?page=N&limit=M`, 1-based):
 *
 * - neither: the whole result;
 * - both: records `(N-1)·M` to `N·M-1`;
 * - `limit` alone: the first `M` (the limit applied as page 1), or the whole result (ignored);
 * - `page` alone: the whole result (ignored), or page `N` of a default page size the contract does
 *   not name; page sizes past `total` all look alike, so `1..total` covers them.
 */
export function pageWindows(query: ModelQuery, total: number): PageWindow[] {
  const all: PageWindow = {
    offset: 0,
    size: Number.POSITIVE_INFINITY,
    reading: 'the whole result',
  };
  const { page, limit } = query;
  if (limit !== undefined && page !== undefined)
    return [{ offset: (page - 1) * limit, size: limit, reading: `page ${page} of ${limit}` }];
  if (limit !== undefined)
    return [
      { offset: 0, size: limit, reading: `limit ${limit} applied` },
      { ...all, reading: 'limit ignored' },
    ];
  if (page === undefined) return [all];
  const sizes = Array.from({ length: Math.max(1, total) }, (_, i) => i + 1);
  return [
    { ...all, reading: 'page ignored' },
    ...sizes.map((size) => ({
      offset: (page - 1) * size,
      size,
      reading: `page ${page} of a default size ${size}`,
    })),
  ];
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
  const windows = pageWindows(query, certain.length + possible.length);
  return {
    query,
    certain,
    possible,
    minSize: Math.min(...windows.map((w) => windowCount(certain.length, w))),
    maxSize: Math.max(...windows.map((w) => windowCount(certain.length + possible.length, w))),
  };
}

/** How many of `total` matching records a window holds. */
function windowCount(total: number, window: PageWindow): number {
  return Math.max(0, Math.min(window.size, total - window.offset));
}

/**
 * Checks a list response against a prediction; returns what is wrong with it (empty when nothing).
 * `body` is the parsed JSON body. The answer passes when some reading of the query the contract
 * allows (see {@link pageWindows}) fits it; otherwise the problems name the first reading's misfit.
 */
export function checkList(prediction: ListPrediction, status: number, body: unknown): string[] {
  const { query, certain, possible } = prediction;
  const windows = pageWindows(query, certain.length + possible.length);
  if (status !== 200 && status !== 404) return [`answered ${status}, expected 200 or 404`];
  if (status === 200 && !Array.isArray(body))
    return [`answered ${show(body)}, expected a JSON array`];

  const common: string[] = [];
  let listed: ModelRecord[] = [];
  if (status === 404) {
    if (body !== 'Not found') common.push(`answered 404 with ${show(body)}, expected "Not found"`);
  } else {
    const items = body as unknown[];
    if (items.length === 0) common.push('answered 200 [] where mockapi.io answers 404 "Not found"');
    listed = listedRecords(prediction, items, common);
    common.push(...orderProblems(listed, query));
  }
  const count = Array.isArray(body) ? body.length : 0;
  const misfits = windows.map((window) =>
    windowProblems(prediction, window, status, listed, count),
  );
  if (misfits.some((problems) => problems.length === 0)) return common;
  const [first] = misfits;
  if (windows.length === 1 || first === undefined) return [...common, ...(first ?? [])];
  // Two readings say enough: past them, the other default page sizes fail alike.
  const shown = misfits
    .slice(0, 2)
    .map((problems, i) => `${windows[i]?.reading ?? ''}: ${problems.join('; ')}`);
  const more = windows.length - shown.length;
  return [
    ...common,
    `no reading of the query fits it: ${shown.join(' | ')}${more > 0 ? ` | nor ${more} other page size(s)` : ''}`,
  ];
}

/** The shorthand for checking an answer: {@link checkList} of {@link predictList}. */
export function judgeList(
  query: ModelQuery,
  records: readonly ModelRecord[],
  status: number,
  body: unknown,
): string[] {
  return checkList(predictList(records, query), status, body);
}

/** The listed items that are records the query may select; names the rest, doubles and changes. */
function listedRecords(
  { certain, possible }: ListPrediction,
  items: readonly unknown[],
  problems: string[],
): ModelRecord[] {
  const members = new Map([...certain, ...possible].map((r) => [r.id, r]));
  const listed: ModelRecord[] = [];
  const seen = new Set<string>();
  for (const item of items) {
    const id = isRecord(item) ? item.id : undefined;
    const record = typeof id === 'string' ? members.get(id) : undefined;
    if (typeof id !== 'string' || record === undefined) {
      problems.push(`listed ${show(item, 200)}, which the query does not select`);
      continue;
    }
    if (seen.has(id)) problems.push(`listed user ${id} twice`);
    seen.add(id);
    listed.push(record);
    if (!jsonEqual(record, item))
      problems.push(
        `listed user ${id} as stored differently: ${fieldDifferences(record, item as Record<string, unknown>).join('; ')}`,
      );
  }
  return listed;
}

/** Pairs of listed records in an order the sort rules out. */
function orderProblems(listed: readonly ModelRecord[], query: ModelQuery): string[] {
  const problems: string[] = [];
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

/**
 * What is wrong with the answer if the page is this window: its size, and each certain match that
 * must (or must not) be on it given where it may stand in the full sorted result.
 */
function windowProblems(
  { query, certain, possible }: ListPrediction,
  window: PageWindow,
  status: number,
  listed: readonly ModelRecord[],
  count: number,
): string[] {
  const minSize = windowCount(certain.length, window);
  const maxSize = windowCount(certain.length + possible.length, window);
  const expectedSize = minSize === maxSize ? `${minSize}` : `${minSize} to ${maxSize}`;
  if (status === 404)
    return minSize > 0 ? [`answered 404 where ${expectedSize} record(s) match`] : [];
  const problems: string[] = [];
  if (count < minSize || count > maxSize)
    problems.push(`answered ${count} record(s), expected ${expectedSize}`);
  const onPage = new Set(listed.map((r) => r.id));
  const all = [...certain, ...possible];
  const last = window.offset + window.size - 1;
  for (const record of certain) {
    const lo = certain.filter((other) => certainlyBefore(other, record, query)).length;
    const hi = all.length - 1 - all.filter((other) => certainlyBefore(record, other, query)).length;
    const listedHere = onPage.has(record.id);
    if (!listedHere && lo >= window.offset && hi <= last)
      problems.push(
        `left out user ${record.id}, which belongs on this page (rank ${rank(lo, hi)})`,
      );
    if (listedHere && (hi < window.offset || lo > last))
      problems.push(
        `listed user ${record.id}, which belongs on another page (rank ${rank(lo, hi)})`,
      );
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
