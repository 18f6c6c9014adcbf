import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

import { expect } from '@playwright/test';

import { type ApiClient, type ApiRequest, type ApiResult, parseJson } from '../http/api-client';
import { ApiResponseError, ApiStatusError, excerpt } from '../http/api-errors';
import { parseWithSchema } from '../http/schema-errors';
import {
  type NewUser,
  NotFoundSchema,
  type User,
  UserListSchema,
  type UserPatch,
  UserSchema,
} from './user-schema';

/** Query of `GET /users`; any key of `filters` filters by substring on that field. */
export interface ListQuery {
  page?: number;
  limit?: number;
  sortBy?: string;
  order?: 'asc' | 'desc';
  search?: string;
  filters?: Record<string, string>;
}

/** How long and how often reads are retried while waiting for a write to become visible. */
export interface ConsistencyOptions {
  timeoutMs: number;
  /** Poll intervals, tight first; the last repeats. */
  intervalsMs: number[];
  /** Longest time a committed write may stay invisible to reads. */
  readLagMs: number;
}

export interface UsersApiOptions {
  client: ApiClient;
  consistency: ConsistencyOptions;
  /** Called with the id of every user this client creates (cleanup registries hook in here). */
  onCreated?: (id: string) => void;
  /** Resource path under the API root. Default `users`. */
  resource?: string;
}

/** The users resource: one method per operation, every body checked against the contract. */
export class UsersApi {
  private readonly resource: string;

  constructor(private readonly options: UsersApiOptions) {
    this.resource = options.resource ?? 'users';
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
   * Creates a user (expects 201). Duplicate-safe on any backend: sends an Idempotency-Key for those
   * that honour it, and after an ambiguous failure looks the user up by its unique email, adopting
   * it if found and sending again only once the read-lag bound has passed without a sighting.
   */
  async create(payload: NewUser): Promise<User> {
    return this.expectUser(await this.createResponse(payload), 'POST', this.resource, [201]);
  }

  /** Sends a duplicate-safe create and returns the response unchecked, for tests of the status itself. */
  async createResponse(payload: Record<string, unknown>): Promise<ApiResult> {
    const result = await this.client.send({
      method: 'POST',
      path: this.resource,
      body: payload,
      headers: { 'idempotency-key': randomUUID() },
      reconcile: () => this.reconcileCreate(payload),
    });
    const id = idOf(result.text);
    // Registered before any check, so even a create answered with the wrong status is cleaned up.
    if (id !== undefined && result.status < 300) this.options.onCreated?.(id);
    return result;
  }

  /** Reads a user (expects 200, and that very user). */
  async get(id: string): Promise<User> {
    const path = this.pathOf(id);
    const result = await this.client.send({ method: 'GET', path });
    return this.expectUser(result, 'GET', path, [200], id);
  }

  /** Reads a user, or undefined when the API answers 404. */
  async find(id: string): Promise<User | undefined> {
    const path = this.pathOf(id);
    const result = await this.client.send({ method: 'GET', path });
    if (result.status === 404) return undefined;
    return this.expectUser(result, 'GET', path, [200], id);
  }

  /** Lists users; mockapi.io's `404 "Not found"` for a query that matches nothing becomes `[]`. */
  async list(query: ListQuery = {}): Promise<User[]> {
    const params = toParams(query);
    const result = await this.client.send({ method: 'GET', path: this.resource, params });
    const call = `GET /${this.resource}`;
    if (result.status === 404) {
      parseWithSchema(NotFoundSchema, parseJson(call, result), {
        call,
        schemaName: 'the "Not found" body',
        body: result.text,
      });
      return [];
    }
    this.expectStatus(result, call, [200]);
    const users = parseWithSchema(UserListSchema, parseJson(call, result), {
      call,
      schemaName: 'User[]',
      body: result.text,
    });
    checkListHonoursQuery(call, query, users, result.text);
    return users;
  }

  /** Every user whose email is exactly `email` (the API filters by substring, so this re-checks). */
  async findByEmail(email: string): Promise<User[]> {
    const users = await this.list({ filters: { email } });
    return users.filter((user) => user.email === email);
  }

  /** Replaces fields with PUT (mockapi.io merges them) and returns the whole record (expects 200). */
  async update(id: string, payload: UserPatch): Promise<User> {
    const path = this.pathOf(id);
    return this.expectUser(
      await this.client.send({ method: 'PUT', path, body: payload }),
      'PUT',
      path,
      [200],
      id,
    );
  }

  /** Merges fields with PATCH and returns the whole record (expects 200). */
  async patch(id: string, payload: UserPatch): Promise<User> {
    const path = this.pathOf(id);
    return this.expectUser(
      await this.client.send({ method: 'PATCH', path, body: payload }),
      'PATCH',
      path,
      [200],
      id,
    );
  }

  /**
   * Deletes a user and returns the deleted record (expects 200). A 404 after an earlier attempt
   * failed ambiguously means that attempt did delete it: that counts as done and returns undefined.
   */
  async delete(id: string): Promise<User | undefined> {
    const path = this.pathOf(id);
    const result = await this.client.send({ method: 'DELETE', path });
    if (result.status === 404 && result.afterAmbiguousFailure) return undefined;
    return this.expectUser(result, 'DELETE', path, [200], id);
  }

  /** Deletes a user if it is still there; true when this call deleted it. */
  async deleteIfExists(id: string): Promise<boolean> {
    const path = this.pathOf(id);
    const result = await this.client.send({ method: 'DELETE', path });
    if (result.status === 404) return false;
    this.expectStatus(result, `DELETE /${path}`, [200]);
    return true;
  }

  /** Polls until the user is readable (and matches `expected`, if given), then returns it. */
  async waitUntilVisible(id: string, expected: Partial<User> = {}): Promise<User> {
    let seen: User | undefined;
    await expect
      .poll(
        async () => {
          seen = await this.find(id);
          return seen;
        },
        { message: `user ${id} to become visible`, ...this.pollOptions() },
      )
      .toMatchObject(expected);
    if (seen === undefined) throw new Error(`user ${id} was not visible`);
    return seen;
  }

  /** Polls until reading the user answers 404. */
  async waitUntilDeleted(id: string): Promise<void> {
    await expect
      .poll(async () => (await this.find(id)) === undefined, {
        message: `user ${id} to answer 404 after its deletion`,
        ...this.pollOptions(),
      })
      .toBe(true);
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
    const path = req.path === undefined ? this.resource : `${this.resource}/${req.path}`;
    return this.client.send({ ...req, path });
  }

  private pathOf(id: string): string {
    return `${this.resource}/${encodeURIComponent(id)}`;
  }

  /**
   * Decides whether a create that failed ambiguously took effect. A committed record may stay
   * invisible for up to the read-lag bound, so absence counts only in a lookup that starts after
   * it; lookups before that can only find the record early.
   */
  private async reconcileCreate(payload: Record<string, unknown>): Promise<ApiResult | undefined> {
    if (typeof payload.email !== 'string' || payload.email === '') return undefined;
    const { readLagMs, intervalsMs } = this.options.consistency;
    const trustedAt = performance.now() + readLagMs;
    for (let lookup = 0; ; lookup += 1) {
      const startedAt = performance.now();
      const matches = await this.findByEmail(payload.email);
      const [first, ...duplicates] = [...matches].sort((a, b) => compareIds(a.id, b.id));
      if (first !== undefined) {
        // The email is unique to this payload, so any second match is a duplicate this client made.
        for (const duplicate of duplicates) await this.deleteIfExists(duplicate.id);
        return {
          status: 201,
          headers: { 'content-type': 'application/json' },
          text: JSON.stringify(first),
          attempts: 1,
          durationMs: 0,
          reconciled: true,
          afterAmbiguousFailure: true,
        };
      }
      if (startedAt >= trustedAt) return undefined;
      const interval = intervalsMs[Math.min(lookup, intervalsMs.length - 1)] ?? 0;
      await sleep(Math.max(0, Math.min(interval, trustedAt - performance.now())));
    }
  }

  private expectStatus(result: ApiResult, call: string, expected: readonly number[]): void {
    if (!expected.includes(result.status)) {
      throw new ApiStatusError(call, result.status, expected, result.text, result.attempts);
    }
  }

  private expectUser(
    result: ApiResult,
    method: string,
    path: string,
    expected: readonly number[],
    id?: string,
  ): User {
    const call = `${method} /${path}`;
    this.expectStatus(result, call, expected);
    const user = parseWithSchema(UserSchema, parseJson(call, result), {
      call,
      schemaName: 'User',
      body: result.text,
    });
    if (id !== undefined && user.id !== id) {
      throw new ApiResponseError(
        `${call} answered the record with id "${user.id}", expected id "${id}". Body: ${excerpt(result.text)}`,
        call,
      );
    }
    return user;
  }
}

function toParams(query: ListQuery): Record<string, string | number> {
  const params: Record<string, string | number> = { ...query.filters };
  if (query.page !== undefined) params.page = query.page;
  if (query.limit !== undefined) params.limit = query.limit;
  if (query.sortBy !== undefined) params.sortBy = query.sortBy;
  if (query.order !== undefined) params.order = query.order;
  if (query.search !== undefined) params.search = query.search;
  return params;
}

/**
 * Checks what a client relies on in a list beyond its shape: no more records than `limit`, and
 * every record matching each field filter (mockapi.io matches by case-insensitive substring).
 */
function checkListHonoursQuery(call: string, query: ListQuery, users: User[], body: string): void {
  const problems: string[] = [];
  if (query.limit !== undefined && users.length > query.limit)
    problems.push(`${users.length} records for limit=${query.limit}`);
  for (const [field, value] of Object.entries(query.filters ?? {})) {
    const misfit = users.find(
      (user) =>
        !JSON.stringify(user[field] ?? '')
          .toLowerCase()
          .includes(value.toLowerCase()),
    );
    if (misfit !== undefined)
      problems.push(`record ${misfit.id} does not match ${field}=${JSON.stringify(value)}`);
  }
  if (problems.length > 0) {
    throw new ApiResponseError(
      `${call} answered a list that ignores its query: ${problems.join('; ')}. Body: ${excerpt(body)}`,
      call,
    );
  }
}

/** Orders mockapi.io ids: numeric strings by value, anything else after them as text. */
export function compareIds(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  if (Number.isInteger(na) && Number.isInteger(nb)) return na - nb;
  return a.localeCompare(b);
}

function idOf(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as { id?: unknown };
    return typeof body.id === 'string' || typeof body.id === 'number' ? String(body.id) : undefined;
  } catch {
    return undefined;
  }
}
