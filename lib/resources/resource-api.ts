import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

import type { ApiRequest, ApiResult } from '../http/api-call';
import type { ApiClient } from '../http/api-client';
import { parseJson } from '../http/json-body';
import { excerpt } from '../http/api-errors';
import { LocalReadLag, type ReadLag } from '../http/read-lag';
import { parseWithSchema } from '../http/schema-errors';
import { type ConsistencyOptions, ConsistencyError, matchesSubset, pollUntil } from './consistency';
import { checkListHonoursQuery, type ListQuery, toParams } from './list-query';
import { expectRecord, expectStatus } from './record-checks';
import { compareIds, idOf } from './record-ids';
import {
  type ApiRecord,
  collectionPath,
  NotFoundSchema,
  type Payload,
  type Resource,
} from './resource';

export interface ResourceApiOptions<R extends ApiRecord, P extends Payload> {
  client: ApiClient;
  consistency: ConsistencyOptions;
  resource: Resource<R, P>;
  /** Parent ids of a nested resource, e.g. `{ userId: '7' }` for `users/:userId/posts`. */
  parents?: Readonly<Record<string, string>>;
  /** Called with every record this API creates (cleanup registries hook in here). */
  onCreated?: (api: ResourceApi, id: string) => void;
  /**
   * Called when this API has proof a record is gone: a DELETE it sent answered 200, or a wait saw
   * it answer 404 past the read-lag bound (a 404 alone may be a lagging read). Cleanup registries
   * hook in here, so as not to delete it again.
   */
  onDeleted?: (api: ResourceApi, id: string) => void;
  /**
   * The environment's read-lag bound as learned so far, which this API teaches what it observes
   * (lib/http/read-lag.ts); by default the configured `readLagMs`, learned by this API alone.
   */
  readLag?: ReadLag;
}

/** Any resource's API, whatever its record type: what cleanup and sweeps work with. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the widest instantiation, for registries
export type AnyResourceApi = ResourceApi<any, any>;

/**
 * One resource of the API (under its parents, for a nested one): one method per operation, every
 * body checked against the contract, creates duplicate-safe on any backend.
 */
export class ResourceApi<R extends ApiRecord = ApiRecord, P extends Payload = Payload> {
  /** The collection path under the API root: `users`, `users/7/posts`. */
  readonly path: string;
  private readonly noun: string;
  /** When this API saw each record deleted (`performance.now()`), for {@link waitUntilDeleted}. */
  private readonly deletedAt = new Map<string, number>();
  /** Records this API created and has not read yet: since when, and whether a read missed them. */
  private readonly unseen = new Map<string, { since: number; missedAt: number | undefined }>();
  private readonly readLag: ReadLag;
  /** The bound as last asked, to judge whether a first read came soon enough to teach it anything. */
  private lastBoundMs: number;

  constructor(private readonly options: ResourceApiOptions<R, P>) {
    this.path = collectionPath(options.resource, options.parents ?? {});
    this.noun = options.resource.name.charAt(0).toUpperCase() + options.resource.name.slice(1);
    this.readLag =
      options.readLag ?? new LocalReadLag({ ceilingMs: options.consistency.readLagMs });
    this.lastBoundMs = options.consistency.readLagMs;
  }

  /** The read-lag bound in force now: learned from what the run observed, at most `readLagMs`. */
  async readLagBound(): Promise<number> {
    this.lastBoundMs = await this.readLag.bound();
    return this.lastBoundMs;
  }

  /** The resource this API serves. */
  get resource(): Resource<R, P> {
    return this.options.resource;
  }

  /** The parent ids this API works under (`{ userId: '7' }`); none for a top-level resource. */
  get parents(): Readonly<Record<string, string>> {
    return this.options.parents ?? {};
  }

  /** The underlying client, for calls the typed methods do not cover (raw status checks, bad bodies). */
  get client(): ApiClient {
    return this.options.client;
  }

  /** The consistency window this API polls with. */
  get consistency(): ConsistencyOptions {
    return this.options.consistency;
  }

  /**
   * Creates a record (expects 201). Duplicate-safe on any backend: sends an Idempotency-Key for those
   * that honour it, and after an ambiguous failure looks the record up by its unique field, adopting
   * it if found and sending again only once the read-lag bound has passed without a sighting.
   */
  async create(payload: P): Promise<R> {
    return this.sendCreate(payload, (result) =>
      this.expectRecord(result, 'POST', this.path, [201]),
    );
  }

  /** Sends a duplicate-safe create and returns the response unchecked, for tests of the status itself. */
  async createResponse(payload: Payload): Promise<ApiResult> {
    return this.sendCreate(payload, (result) => result);
  }

  private async sendCreate<T>(payload: Payload, read: (result: ApiResult) => T): Promise<T> {
    const request = {
      method: 'POST' as const,
      path: this.path,
      body: payload,
      headers: { 'idempotency-key': randomUUID() },
      reconcile: () => this.reconcileCreate(payload),
      onAnswer: (result: ApiResult) => {
        const id = idOf(result.text);
        // Registered before any check, so a create answered with the wrong status, or with a body
        // that breaks the contract, is cleaned up all the same.
        if (id !== undefined && result.status < 300) {
          this.readLag.created(this.keyOf(id));
          this.unseen.set(id, { since: performance.now(), missedAt: undefined });
          this.options.onCreated?.(this, id);
        }
      },
    };
    return this.client.call(request, read);
  }

  /** Reads a record (expects 200, and that very record). */
  async get(id: string): Promise<R> {
    const path = this.pathOf(id);
    const sentAt = performance.now();
    return this.client.call({ method: 'GET', path }, (result) => {
      this.noteRead(id, result.status, sentAt);
      return this.expectRecord(result, 'GET', path, [200], id);
    });
  }

  /** Reads a record, or undefined when the API answers 404. */
  async find(id: string): Promise<R | undefined> {
    const path = this.pathOf(id);
    const sentAt = performance.now();
    return this.client.call({ method: 'GET', path }, (result) => {
      this.noteRead(id, result.status, sentAt);
      // A 404 is an answer it expects too: a refusal says so, and a replay that gets one passes.
      return result.status === 404
        ? undefined
        : this.expectRecord(result, 'GET', path, [200, 404], id);
    });
  }

  /**
   * Learns a create's lag from the first read of its record that answers 200: the lag lies between
   * the sending of the last read that missed the record (or the create) and this answer, and the
   * middle of that span is what is learned; twice it, as the bound takes it, covers the whole span.
   * A first read that did not miss teaches something only when it was sent within the bound in
   * force: a test that reads its record long after creating it would only inflate what is learned.
   */
  private noteRead(id: string, status: number, sentAt: number): void {
    const pending = this.unseen.get(id);
    if (pending === undefined) return;
    if (status === 404) {
      pending.missedAt = sentAt;
      return;
    }
    if (status !== 200) return;
    this.unseen.delete(id);
    if (pending.missedAt !== undefined || sentAt - pending.since <= this.lastBoundMs)
      this.readLag.observe(midpoint(pending.since, pending.missedAt, performance.now()));
  }

  /** Lists records; mockapi.io's `404 "Not found"` for a query that matches nothing becomes `[]`. */
  async list(query: ListQuery = {}): Promise<R[]> {
    const params = toParams(query);
    return this.client.call({ method: 'GET', path: this.path, params }, (result) =>
      this.readList(result, query),
    );
  }

  private readList(result: ApiResult, query: ListQuery): R[] {
    const call = `GET /${this.path}`;
    if (result.status === 404) {
      parseWithSchema(NotFoundSchema, parseJson(call, result), {
        call,
        schemaName: 'the "Not found" body',
        body: result.text,
      });
      return [];
    }
    this.expectStatus(result, call, [200]);
    const records = parseWithSchema(this.resource.listSchema, parseJson(call, result), {
      call,
      schemaName: `${this.noun}[]`,
      body: result.text,
    });
    checkListHonoursQuery(call, query, records, result.text);
    return records;
  }

  /** Every record whose `field` is exactly `value` (the API filters by substring, so this re-checks). */
  async findBy(field: string, value: string): Promise<R[]> {
    const records = await this.list({ filters: { [field]: value } });
    return records.filter((record) => record[field] === value);
  }

  /** Replaces fields with PUT (mockapi.io merges them) and returns the whole record (expects 200). */
  async update(id: string, payload: Partial<P> & Payload): Promise<R> {
    return this.write('PUT', id, payload);
  }

  /** Merges fields with PATCH and returns the whole record (expects 200). */
  async patch(id: string, payload: Partial<P> & Payload): Promise<R> {
    return this.write('PATCH', id, payload);
  }

  /**
   * Deletes a record and returns it (expects 200). A 404 after an earlier attempt failed
   * ambiguously means that attempt did delete it: that counts as done and returns undefined.
   */
  async delete(id: string): Promise<R | undefined> {
    const path = this.pathOf(id);
    return this.client.call({ method: 'DELETE', path }, (result) => {
      const record =
        result.status === 404 && result.afterAmbiguousFailure
          ? undefined
          : this.expectRecord(result, 'DELETE', path, [200], id);
      this.deletedAt.set(id, performance.now());
      // A 404 after an ambiguous failure is taken on trust here, but it proves nothing on its own.
      if (record !== undefined) this.options.onDeleted?.(this, id);
      return record;
    });
  }

  /** Deletes a record if it is still there; true when this call deleted it. */
  async deleteIfExists(id: string): Promise<boolean> {
    const path = this.pathOf(id);
    return this.client.call({ method: 'DELETE', path }, (result) => {
      if (result.status === 404) return false;
      this.expectStatus(result, `DELETE /${path}`, [200, 404]);
      this.deletedAt.set(id, performance.now());
      this.options.onDeleted?.(this, id);
      return true;
    });
  }

  /**
   * Polls until the record is readable and has every field of `expected` (as `toMatchObject` would
   * check), then returns it; fails with a {@link ConsistencyError} when the consistency window ends
   * first. Reports show the whole wait as one step.
   */
  async waitUntilVisible(id: string, expected: Partial<R> = {}): Promise<R> {
    const path = this.pathOf(id);
    const wanted = Object.keys(expected).length === 0 ? '' : ` with ${JSON.stringify(expected)}`;
    const seen = await this.client.wait(`${this.resource.name} ${id} to be visible${wanted}`, () =>
      pollUntil(
        this.consistency,
        () => this.find(id),
        (record) => record !== undefined && matchesSubset(record, expected),
        (last, reads) =>
          new ConsistencyError(
            `${this.resource.name} ${id} was not visible${wanted} within the consistency window (${this.consistency.timeoutMs} ms): ${reads}; the last read answered ${last === undefined ? '404' : excerpt(JSON.stringify(last))}`,
            `GET /${path}`,
          ),
      ),
    );
    if (seen === undefined) throw new Error(`${this.resource.name} ${id} was not visible`);
    return seen;
  }

  /**
   * Waits out the read-lag bound since the record's create (when this worker saw it; else since the
   * deletion), then polls until reading the record answers 404: on a lagging backend an earlier 404
   * may only mean that the create is not visible yet, and the record may still appear, so reads
   * before the bound prove nothing and are not sent. The bound is the learned one
   * ({@link readLagBound}). Fails with a {@link ConsistencyError} when the consistency window ends first. Reports show the
   * whole wait as one step.
   */
  async waitUntilDeleted(id: string): Promise<void> {
    const path = this.pathOf(id);
    const deletedAt = this.deletedAt.get(id);
    // A 404 is doubtful only while the create may still be invisible somewhere: for the bound after
    // the create, when this worker saw it, else after the deletion, which came later.
    const since = this.readLag.createdAt(this.keyOf(id)) ?? deletedAt ?? performance.now();
    const trustedAt = since + (await this.readLagBound());
    // A read that still found the record, then a 404: the deletion's lag, for the bound.
    let stillThereAt: number | undefined;
    await this.client.wait(
      `${this.resource.name} ${id} to answer 404 after its deletion`,
      async () => {
        // A timer may fire a fraction of a millisecond early by this clock: sleep until it agrees.
        for (let untrusted = trustedAt - performance.now(); untrusted > 0;) {
          await sleep(Math.ceil(untrusted));
          untrusted = trustedAt - performance.now();
        }
        return pollUntil(
          this.consistency,
          async () => {
            const sentAt = performance.now();
            const record = await this.find(id);
            if (record !== undefined) stillThereAt = sentAt;
            else if (stillThereAt !== undefined && deletedAt !== undefined)
              this.readLag.observe(midpoint(deletedAt, stillThereAt, performance.now()));
            return record;
          },
          (record) => record === undefined,
          (last, reads) =>
            new ConsistencyError(
              `${this.resource.name} ${id} was still readable within the consistency window (${this.consistency.timeoutMs} ms) after its deletion: ${reads}; the last read answered ${last === undefined ? '404' : excerpt(JSON.stringify(last))}`,
              `GET /${path}`,
            ),
        );
      },
    );
    this.readLag.forget(this.keyOf(id));
    this.unseen.delete(id);
    this.options.onDeleted?.(this, id);
  }

  /** Options for `expect.poll` matching this environment's consistency window. */
  pollOptions(): { timeout: number; intervals: number[] } {
    return {
      timeout: this.options.consistency.timeoutMs,
      intervals: this.options.consistency.intervalsMs,
    };
  }

  /** Sends a request under this resource, with retries but no status or schema check. */
  async raw(req: Omit<ApiRequest, 'path'> & { path?: string }): Promise<ApiResult> {
    const path = req.path === undefined ? this.path : `${this.path}/${req.path}`;
    return this.client.send({ ...req, path });
  }

  private async write(method: 'PUT' | 'PATCH', id: string, payload: Payload): Promise<R> {
    const path = this.pathOf(id);
    return this.client.call({ method, path, body: payload }, (result) =>
      this.expectRecord(result, method, path, [200], id),
    );
  }

  private expectStatus(result: ApiResult, call: string, expected: readonly number[]): void {
    expectStatus(this.client, result, call, expected);
  }

  private expectRecord(
    result: ApiResult,
    method: string,
    path: string,
    expected: readonly number[],
    id?: string,
  ): R {
    const call = `${method} /${path}`;
    return expectRecord(this.client, this.resource.schema, this.noun, result, call, expected, id);
  }

  private pathOf(id: string): string {
    return `${this.path}/${encodeURIComponent(id)}`;
  }

  private keyOf(id: string): string {
    return `${this.path}/${id}`;
  }

  /**
   * Decides whether a create that failed ambiguously took effect. A committed record may stay
   * invisible for up to the read-lag bound, so absence counts only in a lookup that starts after
   * it; lookups before that can only find the record early.
   */
  private async reconcileCreate(
    payload: Payload,
  ): Promise<{ status: number; text: string } | undefined> {
    const unique = payload[this.resource.uniqueField];
    if (typeof unique !== 'string' || unique === '') return undefined;
    const { intervalsMs } = this.options.consistency;
    const trustedAt = performance.now() + (await this.readLagBound());
    for (let lookup = 0; ; lookup += 1) {
      const startedAt = performance.now();
      const matches = await this.findBy(this.resource.uniqueField, unique);
      const [first, ...duplicates] = [...matches].sort((a, b) => compareIds(a.id, b.id));
      if (first !== undefined) {
        // The field is unique to this payload, so any second match is a duplicate this client made.
        for (const duplicate of duplicates) await this.deleteIfExists(duplicate.id);
        return { status: 201, text: JSON.stringify(first) };
      }
      if (startedAt >= trustedAt) return undefined;
      const interval = intervalsMs[Math.min(lookup, intervalsMs.length - 1)] ?? 0;
      await sleep(Math.max(0, Math.min(interval, trustedAt - performance.now())));
    }
  }
}

/** The middle of the span in which a write became visible: after `lastMiss` (or `since`), by `seen`. */
function midpoint(since: number, lastMiss: number | undefined, seen: number): number {
  return ((lastMiss ?? since) - since + (seen - since)) / 2;
}
