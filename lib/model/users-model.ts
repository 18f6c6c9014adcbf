import { fieldDifferences, jsonEqual, show, toJson } from './json';
import {
  type ListPrediction,
  type ModelQuery,
  type ModelRecord,
  predictList,
} from './list-semantics';

/** A user of the model: its name in a replayed test (`u1`) and the record the API must show. */
export interface ModelUser {
  readonly ref: string;
  record: ModelRecord;
}

/** What reading a user must answer. */
export type ReadPrediction = { status: 200; record: ModelRecord } | { status: 404 };

/**
 * A mockapi.io users collection, as the contract describes it, restricted to the users one command
 * sequence created (its scope): nothing else on the backend is in it, so nothing else matters.
 * Pure: it holds no connection and never waits; a session feeds it what was sent and answered.
 *
 * - create: the server assigns an id (a string, new, after every id it assigned before when ids
 *   are numbers) and `createdAt`; every sent field comes back as sent; fields the client left out
 *   may be filled in by the server, and are kept from then on;
 * - read: the record as it stands, or `404` once deleted;
 * - PUT and PATCH: the sent fields are merged into the record (top-level; nothing else changes);
 * - delete: answers the record; then reads answer `404` and lists leave it out;
 * - list: see `list-semantics.ts`.
 */
export class UsersModel {
  readonly #live: ModelUser[] = [];
  readonly #gone: ModelUser[] = [];
  #created = 0;

  /** Users created and not deleted, in creation order. */
  get live(): readonly ModelUser[] {
    return this.#live;
  }

  /** Users deleted, in deletion order. */
  get gone(): readonly ModelUser[] {
    return this.#gone;
  }

  /** The name the next created user gets in a replayed test. */
  nextRef(): string {
    return `u${this.#created + 1}`;
  }

  /**
   * Checks a create's answer against what was sent. Returns what is wrong with it; when nothing
   * is, the user joins the model as answered.
   */
  create(sent: Record<string, unknown>, answered: Record<string, unknown>): string[] {
    const expected = toJson(sent);
    const problems: string[] = [];
    for (const [field, value] of Object.entries(expected)) {
      if (!Object.hasOwn(answered, field))
        problems.push(`${field}: sent ${show(value)}, missing from the answer`);
      else if (!jsonEqual(value, answered[field]))
        problems.push(`${field}: sent ${show(value)}, answered ${show(answered[field])}`);
    }
    const id = answered.id;
    if (typeof id !== 'string' || id === '') {
      problems.push(`id: expected a non-empty string, answered ${show(id)}`);
      return problems;
    }
    const known = [...this.#live, ...this.#gone].map((u) => u.record.id);
    if (known.includes(id)) problems.push(`id: ${id} was already given to another user`);
    const numeric = [...known, id].every((k) => /^\d+$/.test(k));
    const highest = Math.max(...known.map(Number));
    if (numeric && known.length > 0 && Number(id) <= highest)
      problems.push(`id: ${id} is not after ${highest}, ids are assigned in sequence`);
    if (typeof answered.createdAt !== 'string' || Number.isNaN(Date.parse(answered.createdAt)))
      problems.push(`createdAt: expected an ISO timestamp, answered ${show(answered.createdAt)}`);
    if (problems.length > 0) return problems;
    this.#created += 1;
    this.#live.push({ ref: `u${this.#created}`, record: toJson(answered) as ModelRecord });
    return [];
  }

  /** What reading this user answers now. */
  read(user: ModelUser): ReadPrediction {
    return this.#live.includes(user) ? { status: 200, record: user.record } : { status: 404 };
  }

  /** Merges fields into a live user (PUT and PATCH alike) and returns the record it must answer. */
  merge(user: ModelUser, fields: Record<string, unknown>): ModelRecord {
    if (!this.#live.includes(user)) throw new Error(`${user.ref} is not a live user of the model`);
    user.record = { ...user.record, ...toJson(fields), id: user.record.id };
    return user.record;
  }

  /** Deletes a live user and returns the record the delete must answer. */
  remove(user: ModelUser): ModelRecord {
    const index = this.#live.indexOf(user);
    if (index < 0) throw new Error(`${user.ref} is not a live user of the model`);
    this.#live.splice(index, 1);
    this.#gone.push(user);
    return user.record;
  }

  /** What a list query over the scope must answer. */
  list(query: ModelQuery): ListPrediction {
    return predictList(
      this.#live.map((u) => u.record),
      query,
    );
  }
}

/** What is wrong with a record answered for `expected` (empty when nothing). */
export function recordProblems(
  expected: ModelRecord,
  answered: Readonly<Record<string, unknown>>,
): string[] {
  return jsonEqual(expected, answered) ? [] : fieldDifferences(expected, answered);
}
