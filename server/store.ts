/** A stored user: the server-owned `id` and `createdAt` plus whatever fields the client sent. */
export type UserRecord = Readonly<Record<string, unknown>> & {
  readonly id: string;
  readonly createdAt: string;
};

/**
 * One copy of the users collection. Records are kept both in a Map (lookup by
 * id) and in an array of numeric ids in ascending order, so an unfiltered page
 * is a slice of that array: its cost depends on the page size, not on how many
 * users exist. Records are immutable; an update stores a new object, which
 * lets the primary and a lagging replica share records safely.
 */
export class UserStore {
  readonly #order: number[] = [];
  readonly #records = new Map<string, UserRecord>();

  get size(): number {
    return this.#records.size;
  }

  /** The record with this id, if present. */
  get(id: string): UserRecord | undefined {
    return this.#records.get(id);
  }

  /** Inserts a record, or replaces the one with the same id. */
  put(record: UserRecord): void {
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
  remove(id: string): UserRecord | undefined {
    const record = this.#records.get(id);
    if (record === undefined) return undefined;
    this.#records.delete(id);
    const index = lowerBound(this.#order, Number(id));
    if (this.#order[index] === Number(id)) this.#order.splice(index, 1);
    return record;
  }

  /** Up to `count` records starting at `offset`, in id order (reversed when descending). */
  slice(offset: number, count: number, descending: boolean): UserRecord[] {
    const result: UserRecord[] = [];
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
  *values(): Generator<UserRecord> {
    for (const numericId of this.#order) {
      const record = this.#records.get(String(numericId));
      if (record !== undefined) yield record;
    }
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
