import fc from 'fast-check';

import type { ModelQuery, ModelRecord } from './list-semantics';

/**
 * A list query as generated, before the scope holds any user: terms are picked out of the users the
 * sequence will have created by the time the query runs, so filters and searches hit (and miss)
 * something real. `resolveQuery` turns it into a concrete query against the model's users.
 */
export interface QuerySpec {
  filter?: { field: number; term: TermSpec };
  search?: TermSpec;
  sort?: { field: number; order?: 'asc' | 'desc' };
  page?: { page?: number; limit?: number };
  /** Send the scope filter upper-cased: filters are case-insensitive. */
  upperScope: boolean;
}

/** A term: a piece of some user's field (by code point), or a literal that likely matches nothing. */
export type TermSpec =
  | { from: 'user'; user: number; field: number; start: number; length: number }
  | { from: 'literal'; text: string };

/** Fields a query may filter or search on: the server's own are excluded, the scope's too. */
const NOT_QUERIED = new Set(['id', 'createdAt']);

function termSpec(): fc.Arbitrary<TermSpec> {
  return fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record({
        from: fc.constant('user' as const),
        user: fc.nat(9),
        field: fc.nat(9),
        start: fc.nat(40),
        length: fc.integer({ min: 1, max: 6 }),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        from: fc.constant('literal' as const),
        text: fc.constantFrom('zzqx', 'nobody', 'É', '🧪', '42'),
      }),
    },
  );
}

/**
 * Generated list queries: a sort most of the time (orderings are where backends go wrong), a page
 * often, a filter or a search sometimes (together they rarely match anything).
 */
export function querySpec(): fc.Arbitrary<QuerySpec> {
  const sometimes = <T>(arb: fc.Arbitrary<T>, percent: number) =>
    fc.oneof(
      { weight: 100 - percent, arbitrary: fc.constant(undefined) },
      { weight: percent, arbitrary: arb },
    );
  return fc
    .record({
      filter: sometimes(fc.record({ field: fc.nat(9), term: termSpec() }), 20),
      search: sometimes(termSpec(), 20),
      sort: sometimes(
        fc.record({
          field: fc.nat(12),
          order: fc.option(fc.constantFrom('asc' as const, 'desc' as const), { nil: undefined }),
        }),
        67,
      ),
      // A limit with or without a page, now and then a page alone: the contract defines only
      // both together, so the other two are where faithful servers differ.
      page: sometimes(
        fc.oneof(
          {
            weight: 4,
            arbitrary: fc.record({
              page: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
              limit: fc.integer({ min: 1, max: 4 }),
            }),
          },
          { weight: 1, arbitrary: fc.record({ page: fc.integer({ min: 1, max: 3 }) }) },
        ),
        50,
      ),
      upperScope: fc.boolean(),
    })
    .map((spec) => {
      const defined = Object.entries(spec).filter(([, value]) => value !== undefined);
      return Object.fromEntries(defined) as unknown as QuerySpec;
    });
}

/** The string fields of a record a filter or search may use, in a stable order. */
function textFields(record: ModelRecord, scopeField: string, withScope: boolean): string[] {
  return Object.keys(record)
    .filter((field) => typeof record[field] === 'string' && !NOT_QUERIED.has(field))
    .filter((field) => withScope || field !== scopeField)
    .sort();
}

/**
 * The scope of a model session: the field that carries it (a user's email) and the scope itself,
 * which that field holds as `<local>.<scope>…` followed by the run's tag.
 */
export interface QueryScope {
  field: string;
  scope: string;
}

/**
 * What of a field's value a term may be cut from. In the scope field that is only `<local>`: a
 * replay recreates it, while the scope and the run's tag after it differ from run to run, and a
 * term cut from them would find other records, or none, when the counterexample is replayed.
 */
export function cuttable(value: unknown, field: string, scope: QueryScope): unknown {
  if (field !== scope.field || typeof value !== 'string') return value;
  const at = value.indexOf(`.${scope.scope}`);
  return at < 0 ? value : value.slice(0, at);
}

/** Where a term came from: a piece of one user's field, as {@link pieceOf} cuts it. */
export interface TermSource {
  /** The user's index among the users in scope (creation order). */
  user: number;
  field: string;
  start: number;
  length: number;
}

/**
 * `length` code points of `value` from `start` (modulo its length), trimmed; `zzqx` (matching
 * nothing) when that leaves nothing. Code points, not UTF-16 units: a split surrogate pair cannot
 * be sent in a URL.
 */
export function pieceOf(value: unknown, start: number, length: number): string {
  const chars = typeof value === 'string' ? Array.from(value) : [];
  const from = chars.length === 0 ? 0 : start % chars.length;
  const text = chars
    .slice(from, from + length)
    .join('')
    .trim();
  return text === '' ? 'zzqx' : text;
}

function resolveTerm(
  spec: TermSpec,
  users: readonly ModelRecord[],
  fieldsOf: (record: ModelRecord) => string[],
  scope: QueryScope,
): { field?: string; text: string; source?: TermSource } {
  if (spec.from === 'literal') return { text: spec.text };
  const index = spec.user % Math.max(1, users.length);
  const record = users[index];
  const fields = record === undefined ? [] : fieldsOf(record);
  const field = fields[spec.field % Math.max(1, fields.length)];
  const value =
    record !== undefined && field !== undefined ? cuttable(record[field], field, scope) : undefined;
  const chars = typeof value === 'string' ? Array.from(value) : [];
  const start = chars.length === 0 ? 0 : spec.start % chars.length;
  return {
    field,
    text: pieceOf(value, start, spec.length),
    ...(field === undefined || chars.length === 0
      ? {}
      : { source: { user: index, field, start, length: spec.length } }),
  };
}

/**
 * A concrete query for the users in scope (creation order). `scope.field` is the field the scope
 * filter uses: no second filter goes on it.
 */
export function resolveQuery(
  spec: QuerySpec,
  users: readonly ModelRecord[],
  scope: QueryScope,
  /** Filled with where the filter's and the search's terms came from, for a replay to cut anew. */
  sources: { filter?: TermSource; search?: TermSource } = {},
): ModelQuery {
  const query: ModelQuery = {};
  if (spec.filter !== undefined) {
    const { field, text, source } = resolveTerm(
      spec.filter.term,
      users,
      (r) => textFields(r, scope.field, false),
      scope,
    );
    query.filter = { field: field ?? 'name', value: text };
    if (source !== undefined) sources.filter = source;
  }
  if (spec.search !== undefined) {
    const { text, source } = resolveTerm(
      spec.search,
      users,
      (r) => textFields(r, scope.field, true),
      scope,
    );
    query.search = text;
    if (source !== undefined) sources.search = source;
  }
  if (spec.sort !== undefined) {
    // Mostly the fields every user has; sometimes any field a user in scope has.
    const standard = ['name', scope.field, 'id', 'createdAt', 'avatar'];
    const all = [...new Set([...standard, ...users.flatMap((u) => Object.keys(u))])];
    const pool = spec.sort.field < 10 ? standard : all;
    query.sortBy = pool[spec.sort.field % pool.length];
    if (spec.sort.order !== undefined) query.order = spec.sort.order;
  }
  if (spec.page !== undefined) {
    if (spec.page.page !== undefined) query.page = spec.page.page;
    if (spec.page.limit !== undefined) query.limit = spec.page.limit;
  }
  return query;
}
