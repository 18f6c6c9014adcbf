import { Validator } from '@seriousme/openapi-schema-validator';

import { Contract } from '../../lib/openapi/contract';
import { generatedContract } from '../../lib/openapi/contract-loader';
import { operationsOf } from '../../lib/openapi/operations';
import { SUITE_RESOURCES } from '../../lib/suite-resources';
import type { HttpClient, RequestOptions } from './inject-client';
import { expect, test } from './server-fixture';

const PREFIX = '/api/v1';

/** The document the server serves, as a contract, after checking it is valid OpenAPI 3.1. */
async function servedContract(api: HttpClient, url = `${PREFIX}/openapi.json`): Promise<Contract> {
  const response = await api.get(url);
  expect(response.status(), `GET ${url}`).toBe(200);
  expect(response.headers()['content-type']).toContain('application/json');
  const document = (await response.json()) as Record<string, unknown>;
  const validator = new Validator();
  const result = await validator.validate(document);
  expect(result.errors, 'the OpenAPI validator').toBeUndefined();
  expect(validator.version).toBe('3.1');
  return new Contract(document, `Document: served at ${url}`);
}

/**
 * Sends a call (`target` relative to the API root, query included) and checks its answer against
 * every contract: each throws, naming operation, status and path, when the answer breaks it.
 */
type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

async function send(
  api: HttpClient,
  contracts: readonly Contract[],
  method: Method,
  target: string,
  options: RequestOptions = {},
  root = PREFIX,
): Promise<{ status: number; body: unknown }> {
  const verb = method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete';
  const response = await api[verb](`${root}/${target}`, options);
  const result = { status: response.status(), text: await response.text() };
  for (const contract of contracts) contract.check(method, target, result);
  return { status: result.status, body: result.text === '' ? undefined : JSON.parse(result.text) };
}

test.describe('the OpenAPI document the server serves', () => {
  test('documents every operation of the suite’s generated document, with its statuses', async ({
    api,
  }) => {
    const served = await servedContract(api);
    const generated = operationsOf(generatedContract(SUITE_RESOURCES).document);
    for (const operation of generated) {
      const same = served.operations.find(
        (o) => o.method === operation.method && o.template === operation.template,
      );
      expect(same, `${operation.method} ${operation.template}`).toBeDefined();
      expect(same?.statuses).toEqual(expect.arrayContaining(operation.statuses));
    }
    // Beyond the suite's declaration: a child is served at the top level too.
    expect(served.operations.map((o) => `${o.method} ${o.template}`)).toContain('GET /posts/{id}');
  });

  test('every answer of a CRUD and list sequence conforms to it and to the generated document', async ({
    api,
  }) => {
    const contracts = [await servedContract(api), generatedContract(SUITE_RESOURCES)];
    const call = (method: Method, target: string, options?: RequestOptions) =>
      send(api, contracts, method, target, options);
    const expectStatus = async (
      what: string,
      sent: Promise<{ status: number; body: unknown }>,
      status: number,
    ) => {
      const { status: got, body } = await sent;
      expect(got, `${what}: ${JSON.stringify(body)}`).toBe(status);
    };

    await test.step('users', async () => {
      await expectStatus(
        'create',
        call('POST', 'users', { data: { name: 'Ann', email: 'ann@example.com' } }),
        201,
      );
      await expectStatus(
        'create with extra fields',
        call('POST', 'users', { data: { name: 'Bob', age: 41, tags: ['x'] } }),
        201,
      );
      await expectStatus('list', call('GET', 'users'), 200);
      await expectStatus('page', call('GET', 'users?page=1&limit=1&sortBy=name&order=desc'), 200);
      await expectStatus('filter', call('GET', 'users?name=an'), 200);
      await expectStatus('search that matches nothing', call('GET', 'users?search=zzz'), 404);
      await expectStatus('read', call('GET', 'users/1'), 200);
      await expectStatus('replace', call('PUT', 'users/1', { data: { name: 'Ann B' } }), 200);
      await expectStatus(
        'update',
        call('PATCH', 'users/1', { data: { email: 'not an email' } }),
        200,
      );
      await expectStatus('read a missing one', call('GET', 'users/999'), 404);
      await expectStatus('update a missing one', call('PATCH', 'users/999', { data: {} }), 404);
      await expectStatus(
        'create from a body that is not JSON',
        call('POST', 'users', { data: 'name=x', headers: { 'content-type': 'text/plain' } }),
        400,
      );
      await expectStatus(
        'create from an array',
        call('POST', 'users', { data: [{ name: 'x' }] }),
        400,
      );
    });

    await test.step('posts of a user', async () => {
      await expectStatus(
        'create',
        call('POST', 'users/1/posts', { data: { title: 'T', body: 'B' } }),
        201,
      );
      await expectStatus(
        'create under a missing user',
        call('POST', 'users/999/posts', { data: { title: 'T' } }),
        404,
      );
      await expectStatus('list', call('GET', 'users/1/posts'), 200);
      await expectStatus('read', call('GET', 'users/1/posts/1'), 200);
      await expectStatus('update', call('PATCH', 'users/1/posts/1', { data: { title: 'U' } }), 200);
      await expectStatus('read under another user', call('GET', 'users/2/posts/1'), 404);
      await expectStatus('delete', call('DELETE', 'users/1/posts/1'), 200);
      await expectStatus('list, now empty', call('GET', 'users/1/posts?title=U'), 404);
    });

    await test.step('deletion', async () => {
      await expectStatus('delete', call('DELETE', 'users/1'), 200);
      await expectStatus('read the deleted', call('GET', 'users/1'), 404);
      await expectStatus('delete again', call('DELETE', 'users/1'), 404);
    });
  });

  test('a body that breaks the document is caught: the check can fail', async ({ api }) => {
    const served = await servedContract(api);
    expect(() => {
      served.check('GET', 'users/1', { status: 200, text: '{"id":1}' });
    }).toThrow(
      "GET /users/1 answered 200, which does not match the OpenAPI document (GET /users/{id} → 200):\n  at $: must have required property 'createdAt'\n  at $.id: must be string",
    );
  });

  test.describe('with a token, random 503s and a rate limit', () => {
    test.use({ serverOptions: { token: 'secret-token', fault503Rate: 1, rateLimitRps: 1 } });

    test('it is served without a token and never fails, and documents the 401', async ({ api }) => {
      expect((await api.get(`${PREFIX}/users`)).status(), 'the API itself fails').toBe(503);
      const served = await servedContract(api);
      const read = served.operations.find(
        (o) => o.method === 'GET' && o.template === '/users/{id}',
      );
      expect(read?.statuses).toEqual(['200', '400', '401', '404', '429']);
      expect((served.document as { security?: unknown }).security).toEqual([{ bearer: [] }]);
      for (let i = 0; i < 3; i += 1)
        expect((await api.get(`${PREFIX}/openapi.json`)).status()).toBe(200);
    });
  });

  test.describe('when Idempotency-Key is honoured', () => {
    test.use({ serverOptions: { idempotency: 'honour' } });

    test('a key reused with another body answers 422, which it documents', async ({ api }) => {
      const served = await servedContract(api);
      const headers = { 'idempotency-key': 'k-1' };
      const first = await send(api, [served], 'POST', 'users', { data: { name: 'A' }, headers });
      expect(first.status).toBe(201);
      const reused = await send(api, [served], 'POST', 'users', { data: { name: 'B' }, headers });
      expect(reused.status).toBe(422);
      // The suite's document is mockapi.io's, which knows no such status.
      expect(() => {
        generatedContract(SUITE_RESOURCES).check('POST', 'users', { status: 422, text: '{}' });
      }).toThrow(
        'POST /users answered 422, which the OpenAPI document does not list for POST /users',
      );
    });
  });

  test.describe('of resources of its own, at the root', () => {
    test.use({ serverOptions: { prefix: '/', resources: ['shops', 'shops/:shopId/items'] } });

    test('is at /openapi.json and documents exactly them', async ({ api }) => {
      const served = await servedContract(api, '/openapi.json');
      expect([...new Set(served.operations.map((o) => o.template))]).toEqual([
        '/shops',
        '/shops/{id}',
        '/items',
        '/items/{id}',
        '/shops/{shopId}/items',
        '/shops/{shopId}/items/{id}',
      ]);
      const shop = await send(api, [served], 'POST', 'shops', { data: { name: 'S' } }, '');
      expect(shop.status).toBe(201);
      const item = await send(api, [served], 'POST', 'shops/1/items', { data: { sku: 'x' } }, '');
      expect(item).toMatchObject({ status: 201, body: { shopId: '1' } });
      expect((await send(api, [served], 'GET', 'items/1', {}, '')).status).toBe(200);
    });
  });
});
