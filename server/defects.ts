import { z } from 'zod';
import { type ListQuery, runListQuery } from './query';
import { RecordStore, type StoredRecord } from './store';

/*
 * Deliberate defects, used only to prove that a test suite notices broken
 * behaviour (the "sensitivity check"). Nothing here is mockapi.io behaviour:
 * the faithful code paths consult this module at a handful of named points,
 * and with no defect enabled every method below is the identity.
 */

/** Every defect the server can be started with, one behaviour each. */
export const defectNames = [
  'create-status-200',
  'update-not-persisted',
  'delete-not-persisted',
  'drop-field',
  'rename-field',
  'numeric-ids',
  'pagination-ignores-limit',
  'sort-reversed',
  'filters-ignored',
  'list-duplicate',
  'missing-id-200',
  'missing-id-500',
  'delete-never-visible',
  'always-down',
  'created-at-missing',
  'empty-query-200',
  'auth-ignored',
  'wrong-content-type',
  'get-wrong-record',
  // Values a serializer changes or drops.
  'strings-trimmed',
  'big-numbers-as-strings',
  'floats-rounded',
  'nulls-dropped',
  'nested-dropped',
  'emails-lowercased',
  // Query parameters honoured only in part; an ordering right for small data only.
  'search-skips-email',
  'desc-ignored-by-name',
  'last-page-short',
  'filters-case-sensitive',
  'sort-wrong-over-5',
  // What mockapi-style backends get wrong at the edges: pages, sorts, combined queries, stored
  // values, ids, parents.
  'page-offset-by-one',
  'second-sort-field-ignored',
  'search-drops-second-filter',
  'unicode-normalised',
  'long-strings-truncated',
  'whitespace-only-emptied',
  'deleted-id-reused',
  'put-unknown-creates',
  'children-leak-across-parents',
] as const;

/** Defects that change which records a list holds, or their order, after the faithful query. */
const LIST_DEFECTS: readonly DefectName[] = [
  'page-offset-by-one',
  'search-skips-email',
  'last-page-short',
  'filters-case-sensitive',
  'sort-wrong-over-5',
];

/** How many matches `sort-wrong-over-5` still sorts right. */
const SORTED_HEAD = 5;

/** The fields `second-sort-field-ignored` still sorts by: a resource's first field, and the id. */
const FIRST_SORT_FIELDS = new Set(['id', 'name', 'title']);

/** Where `long-strings-truncated` cuts a string: a VARCHAR(255) column. */
const COLUMN_LENGTH = 255;

export const defectNameSchema = z.enum(defectNames);

export type DefectName = z.infer<typeof defectNameSchema>;

/** The set of defects a server instance was started with. */
export class Defects {
  readonly #active: ReadonlySet<DefectName>;

  constructor(names: readonly DefectName[]) {
    this.#active = new Set(names);
  }

  /** Whether no defect is switched on: records then go out exactly as stored. */
  get none(): boolean {
    return this.#active.size === 0;
  }

  /** Whether the named defect is switched on. */
  has(name: DefectName): boolean {
    return this.#active.has(name);
  }

  /** Status a successful create answers with. */
  createdStatus(): number {
    return this.has('create-status-200') ? 200 : 201;
  }

  /**
   * The record `GET /<resource>/:id` answers with, given the one stored under that id and the
   * records the request can see (a child's siblings under the same parent, when nested).
   */
  recordToRead(record: StoredRecord, visible: RecordStore): StoredRecord {
    if (!this.has('get-wrong-record')) return record;
    // The neighbour in id order: the one before, or the one after when it is the first.
    let before: StoredRecord | undefined;
    let passed = false;
    for (const candidate of visible.values()) {
      if (candidate.id === record.id) {
        if (before !== undefined) return before;
        passed = true;
      } else if (passed) {
        return candidate;
      } else {
        before = candidate;
      }
    }
    return record;
  }

  /** The Content-Type a JSON response of the API goes out with, given the one it was given. */
  contentType(sent: string): string {
    if (this.has('wrong-content-type') && sent.startsWith('application/json')) {
      return 'text/html; charset=utf-8';
    }
    return sent;
  }

  /** Turns a stored record into the JSON a client sees. */
  presentRecord(record: StoredRecord): Record<string, unknown> {
    if (this.#active.size === 0) return record;
    const shown: Record<string, unknown> = { ...record };
    if (this.has('drop-field')) delete shown['email'];
    if (this.has('rename-field') && Object.hasOwn(shown, 'name')) {
      shown['fullName'] = shown['name'];
      delete shown['name'];
    }
    if (this.has('numeric-ids')) shown['id'] = Number(record.id);
    if (this.has('created-at-missing')) delete shown['createdAt'];
    const dropNulls = this.has('nulls-dropped');
    return Object.fromEntries(
      Object.entries(shown)
        .filter(([, value]) => !(dropNulls && value === null))
        .map(([field, value]) => [field, this.presentValue(field, value)]),
    );
  }

  /** One field's value as the serializer defects turn it out. */
  private presentValue(field: string, value: unknown): unknown {
    if (typeof value === 'string') {
      let text = value;
      if (this.has('strings-trimmed')) text = text.trim();
      if (this.has('emails-lowercased') && field === 'email') text = text.toLowerCase();
      return text;
    }
    if (typeof value === 'number') {
      // A serializer that sends 64-bit integers as strings, as some do to spare JavaScript clients.
      if (
        this.has('big-numbers-as-strings') &&
        !Number.isSafeInteger(value) &&
        Number.isInteger(value)
      )
        return String(value);
      // A column of two decimal places.
      if (this.has('floats-rounded') && !Number.isInteger(value))
        return Math.round(value * 100) / 100;
      return value;
    }
    if (this.has('nested-dropped') && isPlainObject(value)) {
      // Only one level of nesting survives: objects and arrays inside an object field vanish.
      return Object.fromEntries(
        Object.entries(value).filter(([, inner]) => typeof inner !== 'object' || inner === null),
      );
    }
    return value;
  }

  /** Turns a list result into the JSON array a client sees. */
  presentList(records: readonly StoredRecord[]): Record<string, unknown>[] {
    const shown = records.map((record) => this.presentRecord(record));
    if (this.has('sort-reversed')) shown.reverse();
    const first = shown[0];
    if (this.has('list-duplicate') && first !== undefined) shown.unshift(first);
    return shown;
  }

  /**
   * The fields a write stores, given the ones a client sent: what a database column or an input
   * sanitiser does to a string on its way in.
   */
  storedFields(fields: Readonly<Record<string, unknown>>): Record<string, unknown> {
    if (
      !this.has('unicode-normalised') &&
      !this.has('long-strings-truncated') &&
      !this.has('whitespace-only-emptied')
    )
      return { ...fields };
    const stored: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(fields)) {
      let kept = value;
      if (typeof value === 'string') {
        let text = value;
        if (this.has('unicode-normalised')) text = text.normalize('NFC');
        if (this.has('long-strings-truncated') && text.length > COLUMN_LENGTH)
          text = text.slice(0, COLUMN_LENGTH);
        if (this.has('whitespace-only-emptied') && text.trim() === '') text = '';
        kept = text;
      }
      Object.defineProperty(stored, field, {
        value: kept,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return stored;
  }

  /** Lets list defects rewrite the query before it runs. */
  adjustListQuery(query: ListQuery): ListQuery {
    let adjusted = query;
    if (
      this.has('second-sort-field-ignored') &&
      adjusted.sortBy !== undefined &&
      !FIRST_SORT_FIELDS.has(adjusted.sortBy)
    )
      adjusted = { ...adjusted, sortBy: undefined };
    // Search with filters: only the first filter survives.
    if (this.has('search-drops-second-filter') && adjusted.search !== undefined)
      adjusted = { ...adjusted, filters: adjusted.filters.slice(0, 1) };
    if (this.has('pagination-ignores-limit')) adjusted = { ...adjusted, limit: undefined };
    if (this.has('filters-ignored')) adjusted = { ...adjusted, search: undefined, filters: [] };
    if (this.has('desc-ignored-by-name') && adjusted.sortBy === 'name')
      adjusted = { ...adjusted, order: 'asc' };
    return adjusted;
  }

  /** The page a list query answers: the faithful query's, unless a list defect changes it. */
  listPage(records: RecordStore, query: ListQuery): StoredRecord[] {
    if (this.none || !LIST_DEFECTS.some((name) => this.has(name)))
      return runListQuery(records, query);
    const skipEmail = this.has('search-skips-email') && query.search !== undefined;
    let matches = runListQuery(records, {
      ...query,
      page: undefined,
      limit: undefined,
      search: skipEmail ? undefined : query.search,
    });
    if (skipEmail) {
      const term = (query.search ?? '').toLowerCase();
      matches = matches.filter((record) =>
        Object.entries(record).some(
          ([field, value]) =>
            field !== 'email' && typeof value === 'string' && value.toLowerCase().includes(term),
        ),
      );
    }
    if (this.has('filters-case-sensitive')) {
      matches = matches.filter((record) =>
        query.filters.every(([field, value]) => {
          const stored = Object.hasOwn(record, field) ? record[field] : undefined;
          return typeof stored !== 'string' || stored.includes(value);
        }),
      );
    }
    if (
      this.has('sort-wrong-over-5') &&
      query.sortBy !== undefined &&
      matches.length > SORTED_HEAD
    ) {
      // Sorts the first few matches in id order, then appends the rest unsorted.
      const byId = [...matches].sort((a, b) => Number(a.id) - Number(b.id));
      const head = new RecordStore();
      for (const record of byId.slice(0, SORTED_HEAD)) head.put(record);
      const sortOnly = {
        ...query,
        page: undefined,
        limit: undefined,
        search: undefined,
        filters: [],
      };
      matches = [...runListQuery(head, sortOnly), ...byId.slice(SORTED_HEAD)];
    }
    let offset = query.limit === undefined ? 0 : ((query.page ?? 1) - 1) * query.limit;
    // Off by one: every page after the first starts one record late.
    if (this.has('page-offset-by-one') && offset > 0) offset += 1;
    const end = query.limit === undefined ? matches.length : offset + query.limit;
    // Off by one: a page that reaches the end stops one record short of it.
    if (this.has('last-page-short') && query.limit !== undefined && end >= matches.length)
      return matches.slice(offset, matches.length - 1);
    return matches.slice(offset, end);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
