import { expect, test } from '@playwright/test';

import type { ApiResult } from '../../lib/http/api-call';
import { parseJson } from '../../lib/http/json-body';
import {
  ApiForbiddenOperationError,
  ApiResponseError,
  ApiTransportError,
} from '../../lib/http/api-errors';
import type { CallRecord, RetryRecord } from '../../lib/http/api-observer';
import type { HttpMethod } from '../../lib/http/retry-policy';
import { UsersApi } from '../../lib/users/users-api';
import {
  apiUser,
  BASE_URL,
  type FakeAnswer,
  fakeClient,
  inOrder,
  type SentRequest,
} from './support/fake-request';

const TOKEN = 'tok-4f9a1c-very-secret';
const refused = () => new Error(`apiRequestContext.fetch: connect ECONNREFUSED 127.0.0.1:9`);
const timeout = () => new Error('apiRequestContext.fetch: Timeout 500ms exceeded.');
const created = (id: string) => ({ status: 201, body: apiUser(id, { email: 'a@example.com' }) });

/** A reconcile hook that counts its calls and answers `found`. */
function reconciler(found: ApiResult | undefined) {
  const calls = { count: 0 };
  return {
    calls,
    reconcile: () => {
      calls.count += 1;
      return Promise.resolve(found);
    },
  };
}

const ADOPTED: ApiResult = {
  status: 201,
  headers: {},
  text: JSON.stringify(apiUser('41')),
  attempts: 1,
  durationMs: 0,
  reconciled: true,
  afterAmbiguousFailure: true,
};

test.describe('ApiClient retries', () => {
  test('a GET answered 503 twice then 200 succeeds on the third attempt', async () => {
    const { client, sent } = fakeClient(
      inOrder({ status: 503 }, { status: 503 }, { status: 200, body: [] }),
    );
    const result = await client.send({ method: 'GET', path: 'users' });
    expect(result).toMatchObject({ status: 200, text: '[]', attempts: 3, reconciled: false });
    expect(sent).toHaveLength(3);
  });

  test('a GET that keeps answering 503 returns the final 503 once attempts are used', async () => {
    const { client, sent } = fakeClient(inOrder({ status: 503, body: 'busy' }));
    const result = await client.send({ method: 'GET', path: 'users' });
    expect(result).toMatchObject({ status: 503, text: 'busy', attempts: 3 });
    expect(sent).toHaveLength(3);
  });

  test('timeouts until attempts are used end in an ApiTransportError', async () => {
    const { client, sent } = fakeClient(inOrder(timeout()));
    const error = await client.send({ method: 'GET', path: 'users/1' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiTransportError);
    expect(error).toMatchObject({ attempts: 3, reason: 'timed out' });
    expect(String(error)).toContain('GET /users/1 failed after 3 attempts: timed out');
    expect(sent).toHaveLength(3);
  });

  test('a refused connection suggests checking that the API runs', async () => {
    const { client } = fakeClient(inOrder(refused()));
    await expect(client.send({ method: 'GET', path: 'users' })).rejects.toThrow(
      `network error ECONNREFUSED — is the API at ${BASE_URL} running?`,
    );
  });

  test('a fatal transport error is not retried', async () => {
    const { client, sent } = fakeClient(
      inOrder(new Error('apiRequestContext.fetch: getaddrinfo ENOTFOUND nope.invalid')),
    );
    await expect(client.send({ method: 'GET', path: 'users' })).rejects.toThrow(
      'GET /users failed after 1 attempt: host not found (ENOTFOUND): check the base URL',
    );
    expect(sent).toHaveLength(1);
  });

  test('a 404 or 400 is final at once', async () => {
    for (const status of [400, 404]) {
      const { client, sent } = fakeClient(inOrder({ status, body: 'Not found' }));
      const result = await client.send({ method: 'DELETE', path: 'users/1' });
      expect(result, `status ${status}`).toMatchObject({ status, attempts: 1 });
      expect(sent).toHaveLength(1);
    }
  });

  test('a Retry-After beyond the cap ends the retries at once', async () => {
    // FAST_RETRY honours at most 50 ms; the server asks for 120 s.
    const { client, sent, log } = fakeClient(
      inOrder({ status: 429, headers: { 'retry-after': '120' } }, { status: 200, body: [] }),
    );
    const result = await client.send({ method: 'GET', path: 'users' });
    expect(result).toMatchObject({ status: 429, attempts: 1 });
    expect(sent).toHaveLength(1);
    expect(log()).not.toContain('retrying');
  });

  test('each attempt is sent as configured, without Playwright retrying on its own', async () => {
    const { client, sent } = fakeClient(inOrder({ status: 200, body: [] }), {
      headers: { 'x-suite': 'unit' },
    });
    await client.send({
      method: 'GET',
      path: 'users',
      params: { page: 2, search: 'ann' },
      headers: { 'x-call': 'one' },
    });
    expect(sent[0]).toMatchObject({
      method: 'GET',
      path: 'users',
      params: { page: '2', search: 'ann' },
      headers: { 'x-suite': 'unit', 'x-call': 'one' },
      options: { timeout: 500, maxRetries: 0, failOnStatusCode: false },
    });
  });

  test('a raw body is sent verbatim as JSON unless told otherwise', async () => {
    const { client, sent } = fakeClient(inOrder({ status: 400, body: 'bad' }));
    await client.send({ method: 'POST', path: 'users', rawBody: '{"name":' });
    expect(sent[0]).toMatchObject({
      data: '{"name":',
      headers: { 'content-type': 'application/json' },
    });
  });
});

test.describe('ApiClient and non-idempotent calls', () => {
  test('after an ambiguous 500 a POST reconciles instead of sending again', async () => {
    const { client, sent } = fakeClient(inOrder({ status: 500 }, created('99')));
    const hook = reconciler(ADOPTED);
    const result = await client.send({
      method: 'POST',
      path: 'users',
      body: {},
      reconcile: hook.reconcile,
    });
    expect(hook.calls.count).toBe(1);
    expect(sent).toHaveLength(1);
    expect(result).toMatchObject({
      status: 201,
      text: ADOPTED.text,
      reconciled: true,
      attempts: 1,
    });
  });

  test('after a timeout a POST reconciles too', async () => {
    const { client, sent } = fakeClient(inOrder(timeout(), created('99')));
    const hook = reconciler(ADOPTED);
    const result = await client.send({ method: 'POST', path: 'users', reconcile: hook.reconcile });
    expect(result.reconciled).toBe(true);
    expect(hook.calls.count).toBe(1);
    expect(sent).toHaveLength(1);
  });

  test('when reconciliation finds nothing, the POST is sent again', async () => {
    const { client, sent } = fakeClient(inOrder({ status: 500 }, created('99')));
    const hook = reconciler(undefined);
    const result = await client.send({ method: 'POST', path: 'users', reconcile: hook.reconcile });
    expect(hook.calls.count).toBe(1);
    expect(sent).toHaveLength(2);
    expect(result).toMatchObject({ status: 201, attempts: 2, reconciled: false });
  });

  test('a POST whose last allowed attempt fails ambiguously still reconciles', async () => {
    const { client, sent } = fakeClient(inOrder({ status: 500 }));
    let lookups = 0;
    const result = await client.send({
      method: 'POST',
      path: 'users',
      // The server made the record on the third, last attempt.
      reconcile: () => Promise.resolve((lookups += 1) < 3 ? undefined : ADOPTED),
    });
    expect(sent).toHaveLength(3);
    expect(lookups).toBe(3);
    expect(result).toMatchObject({ status: 201, reconciled: true, attempts: 3 });
  });

  test('a POST that fails ambiguously until attempts run out, with nothing found, returns the failure', async () => {
    const { client, sent } = fakeClient(inOrder({ status: 503 }));
    const hook = reconciler(undefined);
    const result = await client.send({ method: 'POST', path: 'users', reconcile: hook.reconcile });
    expect(sent).toHaveLength(3);
    expect(hook.calls.count).toBe(3);
    expect(result).toMatchObject({ status: 503, attempts: 3, reconciled: false });
  });

  test('without a way to reconcile, an ambiguous POST is not sent again', async () => {
    const { client, sent } = fakeClient(inOrder({ status: 500 }, created('99')));
    const result = await client.send({ method: 'POST', path: 'users' });
    expect(sent).toHaveLength(1);
    expect(result).toMatchObject({ status: 500, attempts: 1 });
  });

  test('a refused connection or a 429 re-sends a POST without reconciling', async () => {
    for (const first of [refused(), { status: 429 }]) {
      const { client, sent } = fakeClient(inOrder(first, created('99')));
      const hook = reconciler(ADOPTED);
      const result = await client.send({
        method: 'POST',
        path: 'users',
        reconcile: hook.reconcile,
      });
      expect(hook.calls.count).toBe(0);
      expect(sent).toHaveLength(2);
      expect(result).toMatchObject({ status: 201, reconciled: false });
    }
  });

  test('a call marked idempotent is retried without reconciling', async () => {
    const { client, sent } = fakeClient(inOrder({ status: 500 }, created('99')));
    const hook = reconciler(ADOPTED);
    await client.send({
      method: 'POST',
      path: 'users',
      idempotent: true,
      reconcile: hook.reconcile,
    });
    expect(hook.calls.count).toBe(0);
    expect(sent).toHaveLength(2);
  });

  test('writes are refused before sending when the environment forbids them', async () => {
    const { client, sent } = fakeClient(inOrder({ status: 200, body: [] }), {
      writesRefused: 'writes are disabled here (set PRODUCTION_ALLOW_WRITES=true to allow them)',
    });
    const writes: HttpMethod[] = ['POST', 'PUT', 'PATCH', 'DELETE'];
    for (const method of writes) {
      const error = await client.send({ method, path: 'users/1' }).catch((e: unknown) => e);
      expect(error, method).toBeInstanceOf(ApiForbiddenOperationError);
      expect(String(error)).toContain(`${method} /users/1 refused: writes are disabled`);
      expect(String(error)).toContain('PRODUCTION_ALLOW_WRITES=true');
    }
    expect(sent).toHaveLength(0);
    await expect(client.send({ method: 'GET', path: 'users' })).resolves.toMatchObject({
      status: 200,
    });
  });
});

test.describe('ApiClient observers and secrets', () => {
  test('a create whose reconciling lookup fails is still recorded, its answer and error kept', async () => {
    const { client } = fakeClient(inOrder({ status: 503 }));
    const calls: CallRecord[] = [];
    client.observe({
      onCall: (call) => {
        calls.push(call);
      },
    });
    const lookupFailed = new Error('GET /users?email=a answered 503');
    const send = client.send({
      method: 'POST',
      path: 'users',
      body: { name: 'Ann' },
      reconcile: () => Promise.reject(lookupFailed),
    });
    await expect(send).rejects.toBe(lookupFailed);
    // A reproduction re-sends it: without this record it would hold the lookup alone.
    expect(calls).toMatchObject([{ method: 'POST', path: 'users', status: 503 }]);
  });

  test('observers see each retry and one record per call, with credentials masked', async () => {
    const echo = (req: SentRequest) => ({
      status: 201,
      body: { ...apiUser('7'), note: `server saw ${req.headers.authorization ?? ''}` },
    });
    const { client, log } = fakeClient((req, index) => (index === 0 ? refused() : echo(req)), {
      secrets: [TOKEN],
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    const retries: RetryRecord[] = [];
    const calls: CallRecord[] = [];
    client.observe({
      onRetry: (retry) => retries.push(retry),
      onCall: (call) => {
        calls.push(call);
      },
    });

    await client.send({ method: 'POST', path: 'users', body: { name: 'Ann', apiKey: TOKEN } });

    expect(retries).toEqual([
      {
        call: 'POST /users',
        attempt: 1,
        outcome: { kind: 'network', code: 'ECONNREFUSED' },
        reason: 'network error ECONNREFUSED',
        delayMs: 1,
      },
    ]);
    expect(calls).toHaveLength(1);
    const [call] = calls;
    expect(call).toMatchObject({
      method: 'POST',
      path: 'users',
      route: 'users',
      status: 201,
      attempts: 2,
      reconciled: false,
      request: { url: `${BASE_URL}/users`, headers: { authorization: 'Bearer ***' } },
    });
    expect(call?.request.body).toContain('"apiKey":"***"');
    expect(call?.response?.body).toContain('server saw Bearer ***');
    expect(JSON.stringify(calls)).not.toContain(TOKEN);
    expect(log()).toContain('retrying');
    expect(log()).not.toContain(TOKEN);
  });

  test('a call that got no response is recorded with its error', async () => {
    const { client } = fakeClient(inOrder(timeout()));
    const calls: CallRecord[] = [];
    client.observe({
      onCall: (call) => {
        calls.push(call);
      },
    });
    await expect(client.send({ method: 'GET', path: 'users/3', params: { a: 1 } })).rejects.toThrow(
      ApiTransportError,
    );
    expect(calls).toEqual([
      expect.objectContaining({
        path: 'users/3?a=1',
        route: 'users/:id',
        status: undefined,
        attempts: 3,
        response: undefined,
        error: 'GET /users/3?a=1: timed out',
      }),
    ]);
    expect(calls[0]?.retries).toHaveLength(2);
  });

  test("a call runs inside every observer's scope, the first outermost, its record inside too", async () => {
    const { client } = fakeClient(inOrder({ status: 200, body: [] }));
    const events: string[] = [];
    for (const name of ['report', 'other'])
      client.observe({
        async around(operation, body) {
          events.push(`${name} begins ${operation.kind === 'call' ? operation.path : ''}`);
          try {
            return await body();
          } finally {
            events.push(`${name} ends`);
          }
        },
        onCall: () => void events.push(`${name} sees the call`),
      });
    await client.send({ method: 'GET', path: 'users', params: { page: 2 } });
    expect(events).toEqual([
      'report begins users?page=2',
      'other begins users?page=2',
      'report sees the call',
      'other sees the call',
      'other ends',
      'report ends',
    ]);
  });

  test('the lookups of a reconciled create run inside the create', async () => {
    const { client } = fakeClient((req) =>
      req.method === 'POST' ? { status: 500 } : { status: 200, body: [apiUser('8')] },
    );
    const depth: string[] = [];
    let open = 0;
    client.observe({
      async around(operation, body) {
        if (operation.kind === 'call') depth.push(`${'  '.repeat(open)}${operation.method}`);
        open += 1;
        try {
          return await body();
        } finally {
          open -= 1;
        }
      },
    });
    await client.send({
      method: 'POST',
      path: 'users',
      body: {},
      reconcile: async () => {
        const found = await client.send({ method: 'GET', path: 'users' });
        return { status: 201, text: JSON.stringify((JSON.parse(found.text) as unknown[])[0]) };
      },
    });
    expect(depth).toEqual(['POST', '  GET']);
  });

  test('the result is returned only after an async observer settles', async () => {
    const { client } = fakeClient(inOrder({ status: 200, body: [] }));
    const order: string[] = [];
    client.observe({
      onCall: async () => {
        await new Promise<void>((resolve) => setImmediate(resolve));
        order.push('observer');
      },
    });
    await client.send({ method: 'GET', path: 'users' });
    order.push('caller');
    expect(order).toEqual(['observer', 'caller']);
  });
});

test.describe('parseJson', () => {
  const result = (text: string, headers: Record<string, string> = {}): ApiResult => ({
    status: 200,
    headers,
    text,
    attempts: 1,
    durationMs: 1,
    reconciled: false,
    afterAmbiguousFailure: false,
  });

  test('parses a JSON body', () => {
    const json = { 'content-type': 'application/json; charset=utf-8' };
    expect(parseJson('GET /users', result('[{"id":"1"}]', json))).toEqual([{ id: '1' }]);
  });

  test('JSON under another content type fails with that type', () => {
    for (const type of ['text/plain', 'application/jsonp', 'text/html; charset=utf-8']) {
      expect(() => parseJson('GET /users', result('[]', { 'content-type': type })), type).toThrow(
        `GET /users answered 200 with a JSON body under content-type ${type}, expected application/json`,
      );
    }
    expect(() => parseJson('GET /users', result('[]'))).toThrow('under content-type (none)');
    expect(
      parseJson('GET /x', result('{}', { 'content-type': 'application/problem+json' })),
    ).toEqual({});
  });

  test('an HTML page is "not JSON" and hints at the base URL', () => {
    const page = '<!DOCTYPE html>\n<html><body>Welcome to our website</body></html>';
    const parse = () => parseJson('GET /users', result(page, { 'content-type': 'text/html' }));
    expect(parse).toThrow(ApiResponseError);
    expect(parse).toThrow(
      'GET /users answered 200 with a body that is not JSON (text/html) — an HTML page usually means the base URL points at a website, not the API root. Body: <!DOCTYPE html> <html><body>Welcome',
    );
  });

  test('other non-JSON bodies say so without the HTML hint', () => {
    const parse = () => parseJson('GET /users', result('oops'));
    expect(parse).toThrow(
      'GET /users answered 200 with a body that is not JSON (no content-type). Body: oops',
    );
    expect(() => parseJson('GET /users', result(''))).toThrow('Body: (empty)');
  });
});

test.describe('UsersApi.create reconciliation', () => {
  const EMAIL = 'ann.lee+pwrun-abc-p0-w0-1@example.com';
  const payload = { name: 'Ann Lee', email: EMAIL };
  const stored = (id: string) => apiUser(id, { email: EMAIL, name: 'Ann Lee' });
  const isLookup = (req: SentRequest) => req.method === 'GET' && req.params.email === EMAIL;

  function usersApi(handler: (req: SentRequest, index: number) => FakeAnswer, readLagMs = 0) {
    const fake = fakeClient(handler);
    const createdIds: string[] = [];
    const users = new UsersApi({
      client: fake.client,
      consistency: { timeoutMs: 100, intervalsMs: [5], readLagMs },
      onCreated: (_api, id) => createdIds.push(id),
    });
    return { users, createdIds, sent: fake.sent };
  }

  test('a POST answered 500 whose user the lookup finds is adopted, not re-sent', async () => {
    const { users, sent, createdIds } = usersApi((req) =>
      isLookup(req) ? { status: 200, body: [stored('12')] } : { status: 500, body: 'oops' },
    );
    const user = await users.create(payload);
    expect(user).toMatchObject({ id: '12', email: EMAIL });
    expect(sent.map((r) => `${r.method} ${r.path}`)).toEqual(['POST users', 'GET users']);
    expect(sent[0]?.headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
    expect(createdIds).toEqual(['12']);
  });

  test('when the lookup finds two, the newer duplicate is deleted and the older adopted', async () => {
    const { users, sent } = usersApi((req) => {
      if (isLookup(req)) return { status: 200, body: [stored('13'), stored('9')] };
      if (req.method === 'DELETE') return { status: 200, body: stored('13') };
      return { status: 500, body: 'oops' };
    });
    const user = await users.create(payload);
    expect(user.id).toBe('9');
    expect(sent.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST users',
      'GET users',
      'DELETE users/13',
    ]);
  });

  test('a lookup match on a longer email is not adopted', async () => {
    const other = apiUser('5', { email: `x${EMAIL}` });
    const { users, sent } = usersApi((req, index) => {
      if (isLookup(req)) return { status: 200, body: [other] };
      return index === 0 ? { status: 500, body: 'oops' } : { status: 201, body: stored('21') };
    });
    expect((await users.create(payload)).id).toBe('21');
    expect(sent.filter((r) => r.method === 'POST')).toHaveLength(2);
  });

  test('when the lookup is empty the POST is re-sent with the same Idempotency-Key', async () => {
    const { users, sent, createdIds } = usersApi((req, index) => {
      if (isLookup(req)) return { status: 404, body: '"Not found"' };
      return index === 0 ? { status: 500, body: 'oops' } : { status: 201, body: stored('21') };
    });
    const user = await users.create(payload);
    expect(user.id).toBe('21');
    const posts = sent.filter((r) => r.method === 'POST');
    expect(posts).toHaveLength(2);
    const [firstKey, secondKey] = posts.map((r) => r.headers['idempotency-key']);
    expect(firstKey).toBeDefined();
    expect(secondKey).toBe(firstKey);
    expect(createdIds).toEqual(['21']);
  });

  test('every create carries its own Idempotency-Key', async () => {
    const { users, sent } = usersApi(() => ({ status: 201, body: stored('1') }));
    await users.create(payload);
    await users.create(payload);
    const keys = sent.map((r) => r.headers['idempotency-key']);
    expect(new Set(keys).size).toBe(2);
  });

  test('on a backend whose reads lag, a committed create is found late and never re-sent', async () => {
    // The POST commits and answers 500; reads show the user only from the third lookup on, well
    // within the read-lag bound (counted in lookups, not time, so a stalled machine changes nothing).
    let lookups = 0;
    const { users, sent } = usersApi((req) => {
      if (req.method === 'POST') return { status: 500, body: 'oops' };
      lookups += 1;
      return lookups >= 3
        ? { status: 200, body: [stored('31')] }
        : { status: 404, body: '"Not found"' };
    }, 60_000);
    expect((await users.create(payload)).id).toBe('31');
    expect(sent.filter((r) => r.method === 'POST')).toHaveLength(1);
    expect(sent.filter(isLookup)).toHaveLength(3);
  });

  test('a create that did not commit is re-sent only after a lookup that began past the read-lag bound', async () => {
    const times: { method: string; at: number }[] = [];
    const { users, sent } = usersApi((req) => {
      times.push({ method: req.method, at: performance.now() });
      if (isLookup(req)) return { status: 404, body: '"Not found"' };
      return times.filter((t) => t.method === 'POST').length === 1
        ? { status: 503, body: 'busy' }
        : { status: 201, body: stored('40') };
    }, 120);
    expect((await users.create(payload)).id).toBe('40');
    const [failedPost, resend] = times.filter((t) => t.method === 'POST').map((t) => t.at);
    const lastLookup = times.filter((t) => t.method === 'GET').at(-1)?.at;
    expect(sent.filter((r) => r.method === 'POST')).toHaveLength(2);
    if (failedPost === undefined || resend === undefined || lastLookup === undefined)
      throw new Error('expected two POSTs and a lookup');
    // Lower bounds only: a busy machine can make these later, never earlier.
    expect(lastLookup - failedPost).toBeGreaterThanOrEqual(120);
    expect(resend).toBeGreaterThanOrEqual(lastLookup);
  });

  test('a POST whose raw body is not a JSON object is retried like an idempotent call', async () => {
    for (const rawBody of ['{"name": "broken",', '[1]', '"text"', 'name=plain']) {
      const { client, sent } = fakeClient(
        inOrder({ status: 503 }, { status: 400, body: { error: 'bad' } }),
      );
      const result = await client.send({ method: 'POST', path: 'users', rawBody });
      expect(result.status, rawBody).toBe(400);
      expect(sent, rawBody).toHaveLength(2);
    }
  });

  test('a POST with a JSON object and no way to reconcile is not re-sent after a 503', async () => {
    const { client, sent } = fakeClient(
      inOrder({ status: 503 }, { status: 201, body: stored('1') }),
    );
    const result = await client.send({ method: 'POST', path: 'users', rawBody: '{"name":"x"}' });
    expect(result.status).toBe(503);
    expect(sent).toHaveLength(1);
  });
});
