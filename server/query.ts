import { LENIENT_PAGE_SIZE, type ListSemantics } from './list-semantics';
import type { RecordStore, StoredRecord } from './store';

/** Query keys with a meaning of their own; every other key is a field filter. */
const reservedKeys = new Set(['page', 'limit', 'sortBy', 'order', 'search']);

/** A parsed list query string, e.g. of `GET /users`. */
export interface ListQuery {
  /** 1-based page; only meaningful with `limit`. */
  page: number | undefined;
  limit: number | undefined;
  sortBy: string | undefined;
  order: 'asc' | 'desc';
  search: string | undefined;
  filters: readonly (readonly [field: string, value: string])[];
  /** Whether the request had any query parameter: an empty result then answers 404. */
  hasParameters: boolean;
  /** Which side the query takes where the contract is silent; strict when absent. */
  semantics?: ListSemantics;
}

/** Reads the query string the way mockapi.io does; unusable page/limit values are ignored. */
export function parseListQuery(
  raw: Readonly<Record<string, unknown>>,
  semantics: ListSemantics = 'strict',
): ListQuery {
  const filters: [string, string][] = [];
  for (const [key, value] of Object.entries(raw)) {
    const text = firstText(value);
    if (!reservedKeys.has(key) && text !== undefined) filters.push([key, text]);
  }
  const sortBy = firstText(raw['sortBy']);
  const search = firstText(raw['search']);
  return {
    page: positiveInteger(firstText(raw['page'])),
    limit: positiveInteger(firstText(raw['limit'])),
    sortBy: sortBy === '' ? undefined : sortBy,
    order: firstText(raw['order'])?.toLowerCase() === 'desc' ? 'desc' : 'asc',
    search: search === '' ? undefined : search,
    filters,
    hasParameters: Object.keys(raw).length > 0,
    semantics,
  };
}

/**
 * Runs a list query. Without filters, search or a sort field other than id,
 * the page is read straight from the store's id order, so it costs O(limit)
 * whatever the collection size; anything else scans the collection.
 */
export function runListQuery(store: RecordStore, query: ListQuery): StoredRecord[] {
  if (query.semantics === 'lenient') return runLenientListQuery(store, query);
  const descending = query.order === 'desc';
  const offset = query.limit === undefined ? 0 : ((query.page ?? 1) - 1) * query.limit;
  const count = query.limit ?? store.size;
  const byIdOnly = query.sortBy === undefined || query.sortBy === 'id';
  if (byIdOnly && query.search === undefined && query.filters.length === 0) {
    return store.slice(offset, count, descending);
  }

  const search = query.search?.toLowerCase();
  const filters = query.filters.map(([field, value]) => [field, value.toLowerCase()] as const);
  const matches: StoredRecord[] = [];
  for (const record of store.values()) {
    if (search !== undefined && !matchesSearch(record, search)) continue;
    if (!filters.every(([field, value]) => matchesFilter(record, field, value))) continue;
    matches.push(record);
  }
  if (!byIdOnly && query.sortBy !== undefined) {
    const field = query.sortBy;
    matches.sort((a, b) => compareField(ownValue(a, field), ownValue(b, field), descending));
  } else if (descending) {
    matches.reverse();
  }
  return matches.slice(offset, offset + count);
}

/**
 * The same query taking the other side wherever the contract is silent (see `list-semantics.ts`).
 * Always a full scan: it exists to prove a suite's expectations, not to be fast.
 */
function runLenientListQuery(store: RecordStore, query: ListQuery): StoredRecord[] {
  const descending = query.order === 'desc';
  // A bare limit is ignored; a page alone counts pages of a default size.
  const limit = query.page === undefined ? undefined : (query.limit ?? LENIENT_PAGE_SIZE);
  const offset = limit === undefined ? 0 : ((query.page ?? 1) - 1) * limit;
  const search = query.search?.toUpperCase();
  const filters = query.filters.map(([field, value]) => [field, value.toUpperCase()] as const);
  const matches: StoredRecord[] = [];
  for (const record of store.values()) {
    if (search !== undefined && !matchesSearchLeniently(record, search)) continue;
    const kept = filters.every(([field, value]) => {
      const stored = ownValue(record, field);
      return typeof stored === 'string' && stored.toUpperCase().includes(value);
    });
    if (kept) matches.push(record);
  }
  // Newest first, so that a stable sort leaves ties newest first too.
  matches.reverse();
  const field = query.sortBy;
  if (field === undefined) {
    if (descending) matches.reverse();
  } else {
    matches.sort((a, b) => compareLeniently(ownValue(a, field), ownValue(b, field), descending));
  }
  return matches.slice(offset, limit === undefined ? undefined : offset + limit);
}

function matchesSearchLeniently(record: StoredRecord, term: string): boolean {
  return Object.entries(record).some(
    ([field, value]) =>
      field !== 'id' &&
      field !== 'createdAt' &&
      (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') &&
      String(value).toUpperCase().includes(term),
  );
}

/** Missing values first in either order, strings before numbers, strings by code unit. */
function compareLeniently(a: unknown, b: unknown, descending: boolean): number {
  const aMissing = a === undefined || a === null;
  const bMissing = b === undefined || b === null;
  if (aMissing || bMissing) return Number(bMissing) - Number(aMissing);
  const rank = (value: unknown) =>
    typeof value === 'string' ? 0 : typeof value === 'number' ? 1 : 2;
  if (rank(a) !== rank(b)) return rank(a) - rank(b);
  const comparison =
    typeof a === 'number' && typeof b === 'number' ? a - b : compareCodeUnits(textOf(a), textOf(b));
  return descending ? -comparison : comparison;
}

const textOf = (value: unknown): string =>
  typeof value === 'string' ? value : JSON.stringify(value);

const compareCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function firstText(value: unknown): string | undefined {
  const first: unknown = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : undefined;
}

function positiveInteger(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d{1,9}$/.test(text)) return undefined;
  const value = Number(text);
  return value >= 1 ? value : undefined;
}

/** A record's own field; inherited names like `__proto__` or `constructor` are not fields. */
function ownValue(record: StoredRecord, field: string): unknown {
  return Object.hasOwn(record, field) ? record[field] : undefined;
}

function matchesSearch(record: StoredRecord, term: string): boolean {
  return Object.values(record).some(
    (value) => typeof value === 'string' && value.toLowerCase().includes(term),
  );
}

function matchesFilter(record: StoredRecord, field: string, value: string): boolean {
  const text = asText(ownValue(record, field));
  return text !== undefined && text.toLowerCase().includes(value);
}

function asText(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** Numbers before strings before anything else; missing values last in either order. */
function compareField(a: unknown, b: unknown, descending: boolean): number {
  const aMissing = a === undefined || a === null;
  const bMissing = b === undefined || b === null;
  if (aMissing || bMissing) return Number(aMissing) - Number(bMissing);
  const rankDifference = typeRank(a) - typeRank(b);
  if (rankDifference !== 0) return rankDifference;
  const comparison = compareSameType(a, b);
  return descending ? -comparison : comparison;
}

function typeRank(value: unknown): number {
  if (typeof value === 'number') return 0;
  if (typeof value === 'string') return 1;
  return 2;
}

function compareSameType(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a.localeCompare(b);
  return (asText(a) ?? '').localeCompare(asText(b) ?? '');
}
