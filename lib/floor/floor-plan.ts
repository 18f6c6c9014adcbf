import type { JsonObject } from '../model/json';
import type { ModelQuery } from '../model/list-semantics';
import type { Payload } from '../resources/resource';
import { pairwise } from './pairwise';

/**
 * The coverage floor's plan for one resource: the records it creates in a scope of its own and the
 * list queries it checks against the model, all derived from the resource's declaration (its
 * unique field and the string fields its factory builds), so a resource declared anywhere gets its
 * own floor. Deterministic: the same declaration gives the same plan on every run.
 */

/** What the floor needs to know of a resource. */
export interface FloorShape {
  /** The field that carries the run's tag and the scope (a user's email, a post's title). */
  scopeField: string;
  /** The string fields a client sets besides the scope field, in name order. */
  textFields: string[];
  /** The fields lists are sorted by: the text fields, the scope field, then `id` and `createdAt`. */
  sortFields: string[];
}

/** A record the floor creates: its fields, and the part of the scope field before the scope. */
export interface FloorRecord {
  fields: JsonObject;
  local: string;
}

/** One list query of the plan, and which part of the floor it stands for. */
export interface FloorQuery {
  group: 'page edges' | 'bare page or limit' | 'sort' | 'search and filters' | 'pairs';
  query: ModelQuery;
  /** The scope filter sent in upper case. */
  upperScope?: boolean;
}

/** How many records the list queries run over: past the 5 a sort may get right by luck. */
export const FLOOR_RECORDS = 7;
/** A page size larger than any the suite uses elsewhere. */
export const LARGE_LIMIT = 100;
/** The page size of the pairwise queries: 5 matches make a full first and second page, a partial third. */
const PAIR_LIMIT = 2;

/** Words whose first letters differ, so every plausible collation orders them alike. */
const WORDS = ['alder', 'birch', 'cedar', 'dogwood', 'elm', 'fir', 'ginkgo'];

/** The shape of a resource, from a payload its factory built. */
export function floorShape(scopeField: string, sample: Payload): FloorShape {
  const textFields = Object.keys(sample)
    .filter((field) => field !== scopeField && typeof sample[field] === 'string')
    .sort();
  return { scopeField, textFields, sortFields: [...textFields, scopeField, 'id', 'createdAt'] };
}

/**
 * The term that marks a field's records: found in that field only, never in a run tag, a scope or a
 * URL (`~` is in none of them). `fieldIndex` counts the text fields, then the scope field.
 */
export function fieldToken(fieldIndex: number): string {
  return `q~${String.fromCharCode(106 + fieldIndex)}`;
}

/** Whether record `i` carries field `j`'s token: 5 of the 7, a different 5 for each field. */
export function carriesToken(j: number, i: number): boolean {
  return [0, 1, 2, 4, 5].includes((i + 2 * j) % FLOOR_RECORDS);
}

/** Record `i`'s rank in field `j`'s order: a permutation of its own for each field, none the id order. */
function rankOf(j: number, i: number): number {
  const multiplier = [3, 5, 2, 4, 6][j % 5] ?? 3;
  return (i * multiplier + j + 1) % FLOOR_RECORDS;
}

/** A field's value in record `i`: a word that sets its order, and the field's token in some records. */
function valueOf(j: number, i: number): string {
  const word = WORDS[rankOf(j, i)] ?? 'zelkova';
  if (!carriesToken(j, i)) return word;
  // Stored in either case: the queries' terms meet the other case in half the records.
  const token = i % 2 === 0 ? fieldToken(j) : fieldToken(j).toUpperCase();
  return `${word} ${token}`;
}

/** The records the list queries run over. */
export function floorRecords(shape: FloorShape): FloorRecord[] {
  const scopeIndex = shape.textFields.length;
  return Array.from({ length: FLOOR_RECORDS }, (_, i) => ({
    fields: Object.fromEntries(shape.textFields.map((field, j) => [field, valueOf(j, i)])),
    local: valueOf(scopeIndex, i).replace(' ', '.'),
  }));
}

/** The pages a page size is checked at: first, a middle one, the last (partial or not), past the end. */
function pagesFor(limit: number): number[] {
  const last = Math.max(1, Math.ceil(FLOOR_RECORDS / limit));
  const pages = new Set([1, last]);
  if (last >= 3) pages.add(Math.ceil(last / 2));
  if ([1, 3, FLOOR_RECORDS + 1, LARGE_LIMIT].includes(limit)) pages.add(last + 1);
  return [...pages].sort((a, b) => a - b);
}

/** Every list query of the floor, in the order it runs. */
export function floorQueries(shape: FloorShape): FloorQuery[] {
  const queries: FloorQuery[] = [];
  const strings = [...shape.textFields, shape.scopeField];
  const tokens = strings.map((_, j) => fieldToken(j));

  // Page sizes 1 to past the records, and a large one, each at its edge pages. Each sorted, by the
  // string fields in turn, so that which records a page holds is certain.
  const limits = [...Array.from({ length: FLOOR_RECORDS + 1 }, (_, i) => i + 1), LARGE_LIMIT];
  let turn = 0;
  for (const limit of limits)
    for (const page of pagesFor(limit)) {
      const sortBy = strings[turn % strings.length] ?? shape.scopeField;
      const order = turn % 2 === 0 ? 'asc' : 'desc';
      turn += 1;
      queries.push({ group: 'page edges', query: { sortBy, order, page, limit } });
    }

  // What the contract leaves open: a bare limit (applied or ignored), a page alone.
  queries.push(
    { group: 'bare page or limit', query: { sortBy: shape.scopeField, limit: 2 } },
    { group: 'bare page or limit', query: { limit: FLOOR_RECORDS + 1 } },
    { group: 'bare page or limit', query: { page: 2 } },
  );

  // Each sort field in both orders, and with the order left out (ascending).
  for (const sortBy of shape.sortFields)
    for (const order of ['asc', 'desc'] as const)
      queries.push({ group: 'sort', query: { sortBy, order } });
  queries.push({ group: 'sort', query: { sortBy: strings[0] ?? shape.scopeField } });

  // Each field's filter, in both letter cases; each field's token searched, found in that field only;
  // the scope filter in upper case; a term nothing holds.
  shape.textFields.forEach((field, j) => {
    const token = tokens[j] ?? '';
    queries.push(
      { group: 'search and filters', query: { filter: { field, value: token } } },
      { group: 'search and filters', query: { filter: { field, value: token.toUpperCase() } } },
    );
  });
  tokens.forEach((token, j) =>
    queries.push({
      group: 'search and filters',
      query: { search: j % 2 === 0 ? token : token.toUpperCase() },
    }),
  );
  queries.push(
    { group: 'search and filters', query: {}, upperScope: true },
    { group: 'search and filters', query: { search: 'q~zz' } },
  );

  // Every pair of list parameters: filter × search × sort × page, pairwise.
  const filters = [undefined, ...shape.textFields.map((field, j) => ({ field, j }))];
  const searches = [undefined, ...tokens];
  const sorts = [
    undefined,
    ...strings.map((sortBy, j) => ({ sortBy, order: j % 2 === 0 ? 'asc' : 'desc' }) as const),
  ];
  const pages = [undefined, { page: 1 }, { page: 2 }, { page: 3 }, {}];
  for (const [f, s, o, p] of pairwise([
    filters.length,
    searches.length,
    sorts.length,
    pages.length,
  ])) {
    const filter = filters[f ?? 0];
    const search = searches[s ?? 0];
    const sort = sorts[o ?? 0];
    const page = pages[p ?? 0];
    const query: ModelQuery = {
      ...(filter === undefined
        ? {}
        : { filter: { field: filter.field, value: tokens[filter.j] ?? '' } }),
      ...(search === undefined ? {} : { search }),
      ...(sort ?? {}),
      ...(page === undefined ? {} : { ...page, limit: PAIR_LIMIT }),
    };
    queries.push({ group: 'pairs', query });
  }
  return queries;
}
