import { randomBytes } from 'node:crypto';

import { expect, test } from '@playwright/test';

import { parseJson } from '../http/json-body';
import type { Payload } from '../resources/resource';
import type { ResourceApi } from '../resources/resource-api';
import { RUN_MARKER_PREFIX } from '../resources/run-marker';
import { toCode } from './code';
import { type JsonObject, show } from './json';
import { checkList, type ModelQuery } from './list-semantics';
import { cuttable, pieceOf } from './query-spec';
import { type ModelUser, recordProblems, UsersModel } from './users-model';

/** One call of a session, as a line of a replayable test and the HTTP request it stands for. */
export interface TranscriptLine {
  code: string;
  request: string;
}

/**
 * Runs operations against the real API and the model side by side, and fails on the first answer
 * the model did not predict. Reads poll within the environment's consistency window until they
 * agree or the environment's read-lag bound has passed (a lagging replica is not a defect, a
 * read past the bound is the answer); writes are checked at once. Every user it creates
 * carries the run's marker and this session's scope in its unique field (a user's email), and is
 * cleaned up by the fixture whose API it was given (`users`, `api(resource)`). A counterexample replays as a test that calls these same methods.
 */
export class ModelSession {
  readonly model = new UsersModel();
  /** In every email of this session and in every list query's filter: the model's whole world. */
  readonly scope: string;
  readonly transcript: TranscriptLine[] = [];
  /** Commands of the generated sequence that ran, for the counterexample's size. */
  commandsRun = 0;
  /** When the last write of this session ended (`performance.now()`). */
  private lastWriteAt = Number.NEGATIVE_INFINITY;
  /** The field that carries the run's marker and the scope (the email). */
  readonly scopeField: string;

  constructor(
    private readonly users: ResourceApi,
    private readonly factory: { build(): Payload },
    scope = `mb${randomBytes(5).toString('hex')}`,
  ) {
    this.scope = scope;
    this.scopeField = users.resource.uniqueField;
  }

  /** Creates a user from these fields, with an email `<emailLocal>.<scope>+<run's tag>@example.com`. */
  async create(fields: JsonObject, emailLocal = 'user'): Promise<ModelUser> {
    const ref = this.model.nextRef();
    const marked = this.factory.build()[this.scopeField];
    if (typeof marked !== 'string') throw new Error(`the factory built no ${this.scopeField}`);
    const payload: Payload = { ...fields, [this.scopeField]: this.scoped(marked, emailLocal) };
    return this.call(
      `const ${ref} = await model.create(${toCode(fields)}, ${toCode(emailLocal)});`,
      `POST /${this.users.path} ${JSON.stringify(payload)}`,
      async () => {
        const answered = await this.written(() => this.users.create(payload));
        expect(this.model.create(payload, answered), `POST /${this.users.path}`).toEqual([]);
        const user = this.model.live.at(-1);
        if (user === undefined) throw new Error('the model holds no created user');
        return user;
      },
    );
  }

  /** Reads a user: its record while it lives, `404 "Not found"` once deleted. */
  async read(user: ModelUser): Promise<void> {
    const path = `${this.users.path}/${user.record.id}`;
    await this.call(`await model.read(${user.ref});`, `GET /${path}`, async () => {
      const expected = this.model.read(user);
      await this.agrees(`GET /${path} answers as the model predicts`, async () => {
        const result = await this.users.raw({ method: 'GET', path: user.record.id });
        const body = parseJson(`GET /${path}`, result);
        if (expected.status === 404)
          return result.status === 404 && body === 'Not found'
            ? []
            : [`answered ${result.status} ${show(body)}, expected 404 "Not found"`];
        if (result.status !== 200) return [`answered ${result.status} ${show(body)}`];
        const parsed = this.users.resource.schema.safeParse(body);
        if (!parsed.success) return [`answered a body that is not a user: ${show(body)}`];
        return recordProblems(expected.record, parsed.data);
      });
    });
  }

  /** Replaces fields with PUT; a new `emailLocal` moves the email, keeping scope and tag. */
  async put(user: ModelUser, fields: JsonObject, emailLocal?: string): Promise<void> {
    await this.write('PUT', user, fields, emailLocal);
  }

  /** Merges fields with PATCH; a new `emailLocal` moves the email, keeping scope and tag. */
  async patch(user: ModelUser, fields: JsonObject, emailLocal?: string): Promise<void> {
    await this.write('PATCH', user, fields, emailLocal);
  }

  /** Deletes a live user: the answer is its record. */
  async delete(user: ModelUser): Promise<void> {
    const path = `${this.users.path}/${user.record.id}`;
    await this.call(`await model.delete(${user.ref});`, `DELETE /${path}`, async () => {
      const expected = this.model.remove(user);
      const answered = await this.written(() => this.users.delete(user.record.id));
      // undefined: the client saw the delete fail ambiguously and found the user gone on retry.
      if (answered !== undefined)
        expect(recordProblems(expected, answered), `DELETE /${path}`).toEqual([]);
    });
  }

  /** A piece of a user's field, as a generated list query cuts its filter and search terms. */
  piece(user: ModelUser, field: string, start: number, length: number): string {
    const value = cuttable(user.record[field], field, {
      field: this.scopeField,
      scope: this.scope,
    });
    return pieceOf(value, start, length);
  }

  /** Deletes a user that is already deleted: `404`. */
  async deleteAgain(user: ModelUser): Promise<void> {
    const path = `${this.users.path}/${user.record.id}`;
    await this.call(`await model.deleteAgain(${user.ref});`, `DELETE /${path}`, async () => {
      const result = await this.written(() =>
        this.users.raw({ method: 'DELETE', path: user.record.id }),
      );
      expect(result.status, `DELETE /${path} of a deleted user: ${result.text.slice(0, 200)}`).toBe(
        404,
      );
    });
  }

  /**
   * Deletes every user this session still holds, so that the next sequence starts on a backend no
   * fuller than this one found it. Best effort and outside the transcript: a user it cannot delete
   * stays registered with the `users` fixture's cleanup, which tries again at teardown.
   */
  async cleanUp(): Promise<void> {
    for (const user of this.model.live) {
      try {
        await this.users.deleteIfExists(user.record.id);
      } catch {
        // Left to the fixture's teardown, which reports what it could not delete.
      }
    }
  }

  /** Lists the scope's users with a query; the scope filter goes first (upper-cased if asked). */
  async list(
    query: ModelQuery,
    options: { upperScope?: boolean } = {},
    /** How the call prints in a counterexample, when not as `query` (terms cut from users). */
    printed: unknown = query,
  ): Promise<void> {
    const scope = options.upperScope === true ? this.scope.toUpperCase() : this.scope;
    const params: Record<string, string | number> = { [this.scopeField]: scope };
    if (query.filter !== undefined) params[query.filter.field] = query.filter.value;
    for (const key of ['search', 'sortBy', 'order', 'page', 'limit'] as const) {
      const value = query[key];
      if (value !== undefined) params[key] = value;
    }
    const request = `GET /${this.users.path}?${new URLSearchParams(
      Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]),
    ).toString()}`;
    const optionsCode = options.upperScope === true ? ', { upperScope: true }' : '';
    await this.call(`await model.list(${toCode(printed)}${optionsCode});`, request, async () => {
      const prediction = this.model.list(query);
      await this.agrees(`${request} answers as the model predicts`, async () => {
        const result = await this.users.raw({ method: 'GET', params });
        return checkList(prediction, result.status, parseJson(request, result));
      });
    });
  }

  private async write(
    method: 'PUT' | 'PATCH',
    user: ModelUser,
    fields: JsonObject,
    emailLocal: string | undefined,
  ): Promise<void> {
    const current = user.record[this.scopeField];
    const payload: Payload =
      emailLocal === undefined || typeof current !== 'string'
        ? { ...fields }
        : { ...fields, [this.scopeField]: this.scoped(current, emailLocal) };
    const path = `${this.users.path}/${user.record.id}`;
    const local = emailLocal === undefined ? '' : `, ${toCode(emailLocal)}`;
    await this.call(
      `await model.${method === 'PUT' ? 'put' : 'patch'}(${user.ref}, ${toCode(fields)}${local});`,
      `${method} /${path} ${JSON.stringify(payload)}`,
      async () => {
        const expected = this.model.merge(user, payload);
        const answered = await this.written(() =>
          method === 'PUT'
            ? this.users.update(user.record.id, payload)
            : this.users.patch(user.record.id, payload),
        );
        expect(recordProblems(expected, answered), `${method} /${path}`).toEqual([]);
      },
    );
  }

  /**
   * `<local>.<scope>+<tag>@…` from an email `<anything>+<tag>@…`, or `<local>.<scope> <tag>…` from any
   * other unique value that ends in the run's tag (a post's title): scope and tag stay intact.
   */
  private scoped(marked: string, local: string): string {
    const at = marked.lastIndexOf(RUN_MARKER_PREFIX);
    if (at < 0) throw new Error(`${marked} carries no run tag (${RUN_MARKER_PREFIX}…)`);
    if (marked[at - 1] === '+') return `${local}.${this.scope}${marked.slice(at - 1)}`;
    return `${local}.${this.scope} ${marked.slice(at)}`;
  }

  private async call<T>(code: string, request: string, body: () => Promise<T>): Promise<T> {
    this.transcript.push({ code, request });
    return test.step(code, body);
  }

  /** Runs a write and notes when it ended: reads before the read-lag bound may not see it yet. */
  private async written<T>(write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } finally {
      this.lastWriteAt = performance.now();
    }
  }

  /**
   * Reads until the answer agrees with the model, within the environment's poll window. A read
   * that began once the environment's read-lag bound had passed since the last write is trusted
   * (as the client trusts one when it reconciles a create): if it still disagrees, that is the
   * answer, and polling on would only wait out the window.
   */
  private async agrees(message: string, problemsOfOneRead: () => Promise<string[]>): Promise<void> {
    const trustedAt = this.lastWriteAt + this.users.consistency.readLagMs;
    let problems: string[] = [];
    await expect
      .poll(
        async () => {
          const startedAt = performance.now();
          problems = await problemsOfOneRead();
          return problems.length === 0 || startedAt >= trustedAt;
        },
        {
          message: `${message} (a read that agrees, or one past the read-lag bound)`,
          ...this.users.pollOptions(),
        },
      )
      .toBe(true);
    expect(problems, message).toEqual([]);
  }
}
