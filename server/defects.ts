import { z } from 'zod';
import type { ListQuery } from './query';
import type { RecordStore, StoredRecord } from './store';

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
] as const;

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
    return shown;
  }

  /** Turns a list result into the JSON array a client sees. */
  presentList(records: readonly StoredRecord[]): Record<string, unknown>[] {
    const shown = records.map((record) => this.presentRecord(record));
    if (this.has('sort-reversed')) shown.reverse();
    const first = shown[0];
    if (this.has('list-duplicate') && first !== undefined) shown.unshift(first);
    return shown;
  }

  /** Lets list defects rewrite the query before it runs. */
  adjustListQuery(query: ListQuery): ListQuery {
    let adjusted = query;
    if (this.has('pagination-ignores-limit')) adjusted = { ...adjusted, limit: undefined };
    if (this.has('filters-ignored')) adjusted = { ...adjusted, search: undefined, filters: [] };
    return adjusted;
  }
}
