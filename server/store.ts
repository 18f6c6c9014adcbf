/** A stored record: the server-owned `id` and `createdAt` plus whatever fields the client sent. */
export type StoredRecord = Readonly<Record<string, unknown>> & {
  readonly id: string;
  readonly createdAt: string;
};

/**
 * Records in id order. Records are kept both in a Map (lookup by id) and in an array of numeric
 * ids in ascending order, so an unfiltered page is a slice of that array: its cost depends on the
 * page size, not on how many records exist. Records are immutable; an update stores a new object,
 * which lets the primary and a lagging replica share records safely.
 */
export class RecordStore {
  readonly #order: number[] = [];
  readonly #records = new Map<string, StoredRecord>();

  get size(): number {
    return this.#records.size;
  }

  /** The record with this id, if present. */
  get(id: string): StoredRecord | undefined {
    return this.#records.get(id);
  }

  /** Inserts a record, or replaces the one with the same id. */
  put(record: StoredRecord): void {
    if (!this.#records.has(record.id)) {
      const numericId = Number(record.id);
      const last = this.#order.at(-1);
      // Ids are assigned in sequence, so appending is the common case.
      if (last === undefined || numericId > last) this.#order.push(numericId);
      else this.#order.splice(lowerBound(this.#order, numericId), 0, numericId);
    }
    this.#records.set(record.id, record);
  }

  /** Removes and returns the record with this id, if present. */
  remove(id: string): StoredRecord | undefined {
    const record = this.#records.get(id);
    if (record === undefined) return undefined;
    this.#records.delete(id);
    const index = lowerBound(this.#order, Number(id));
    if (this.#order[index] === Number(id)) this.#order.splice(index, 1);
    return record;
  }

  /** Up to `count` records starting at `offset`, in id order (reversed when descending). */
  slice(offset: number, count: number, descending: boolean): StoredRecord[] {
    const result: StoredRecord[] = [];
    const total = this.#order.length;
    const end = Math.min(total, offset + count);
    for (let position = offset; position < end; position += 1) {
      const index = descending ? total - 1 - position : position;
      const record = this.#records.get(String(this.#order[index]));
      if (record !== undefined) result.push(record);
    }
    return result;
  }

  /** Every record in ascending id order. */
  *values(): Generator<StoredRecord> {
    for (const numericId of this.#order) {
      const record = this.#records.get(String(numericId));
      if (record !== undefined) yield record;
    }
  }
}

/** Shared by every parent without children: reads of it never change it. */
const noChildren = new RecordStore();

/**
 * One copy of a resource's records. For a child resource it also keeps the records of each parent
 * in a store of their own, so a page under a parent costs what a top-level page costs. Records are
 * grouped by their parent field as stored; a value that is not a string belongs to no parent.
 */
export class Collection {
  /** Every record of the resource, as `/<name>` serves them. */
  readonly all = new RecordStore();
  readonly #parentField: string | undefined;
  readonly #byParent = new Map<string, RecordStore>();

  constructor(parentField: string | undefined) {
    this.#parentField = parentField;
  }

  get size(): number {
    return this.all.size;
  }

  /** The records whose parent field is `parentId`, as `/<parent>/<parentId>/<name>` serves them. */
  children(parentId: string): RecordStore {
    return this.#byParent.get(parentId) ?? noChildren;
  }

  /** Inserts a record, or replaces the one with the same id (moving it if its parent changed). */
  put(record: StoredRecord): void {
    const previous = this.all.get(record.id);
    this.all.put(record);
    if (this.#parentField === undefined) return;
    const before = previous === undefined ? undefined : this.#parentOf(previous);
    const after = this.#parentOf(record);
    if (before !== undefined && before !== after) this.#removeChild(before, record.id);
    if (after === undefined) return;
    let group = this.#byParent.get(after);
    if (group === undefined) {
      group = new RecordStore();
      this.#byParent.set(after, group);
    }
    group.put(record);
  }

  /** Removes and returns the record with this id, if present. */
  remove(id: string): StoredRecord | undefined {
    const record = this.all.remove(id);
    if (record === undefined || this.#parentField === undefined) return record;
    const parent = this.#parentOf(record);
    if (parent !== undefined) this.#removeChild(parent, id);
    return record;
  }

  #parentOf(record: StoredRecord): string | undefined {
    const value = this.#parentField === undefined ? undefined : record[this.#parentField];
    return typeof value === 'string' ? value : undefined;
  }

  #removeChild(parent: string, id: string): void {
    const group = this.#byParent.get(parent);
    group?.remove(id);
    if (group?.size === 0) this.#byParent.delete(parent);
  }
}

/** Index of the first element not less than `value` in an ascending array. */
function lowerBound(sorted: readonly number[], value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((sorted[middle] ?? Infinity) < value) low = middle + 1;
    else high = middle;
  }
  return low;
}
