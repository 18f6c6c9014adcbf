import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { expect, test } from '@playwright/test';

import { ConfigError } from '../../lib/config/environment';
import { ApiResponseError } from '../../lib/http/api-errors';
import { ApiContractError, Contract, responseKey } from '../../lib/openapi/contract';
import { generatedContract, loadContract } from '../../lib/openapi/contract-loader';
import { openApiDocument } from '../../lib/openapi/document';
import { SUITE_RESOURCES } from '../../lib/suite-resources';
import { UsersApi } from '../../lib/users/users-api';
import { apiUser, fakeClient, inOrder } from './support/fake-request';

const CONSISTENCY = { timeoutMs: 100, intervalsMs: [5], readLagMs: 0 };
const answer = (status: number, body: unknown) => ({
  status,
  text: typeof body === 'string' ? body : JSON.stringify(body),
});

/** What `check` threw, as an error, or undefined when it passed. */
function checked(contract: Contract, method: string, target: string, result: object): unknown {
  try {
    contract.check(method, target, result as never);
    return undefined;
  } catch (error) {
    return error;
  }
}

/** A small team document: a user must have an integer age, errors are described by ranges. */
const TEAM = {
  openapi: '3.1.0',
  info: { title: 'team', version: '1' },
  paths: {
    '/users/{id}': {
      get: {
        responses: {
          '200': {
            description: 'a user',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/User' } } },
          },
          '4XX': {
            description: 'a client error',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Problem' } } },
          },
          '401': { description: 'no token' },
          default: { description: 'anything else' },
        },
      },
    },
  },
  components: {
    schemas: {
      User: {
        type: 'object',
        required: ['id', 'age'],
        properties: { id: { type: 'string' }, age: { type: 'integer' } },
      },
      Problem: { type: 'object', required: ['message'] },
    },
  },
};

test.describe('a contract from the generated document', () => {
  const contract = generatedContract(SUITE_RESOURCES);

  test('passes what mockapi.io answers: records, lists, "Not found" and unknown fields', () => {
    const user = apiUser('7', { email: 'a@example.com', nickname: 'extra field' });
    expect(checked(contract, 'GET', 'users/7', answer(200, user))).toBeUndefined();
    expect(checked(contract, 'GET', 'users?page=1&limit=2', answer(200, [user]))).toBeUndefined();
    expect(checked(contract, 'GET', 'users?name=x', answer(404, '"Not found"'))).toBeUndefined();
    expect(checked(contract, 'POST', 'users', answer(201, user))).toBeUndefined();
    expect(checked(contract, 'POST', 'users', answer(400, { error: 'not JSON' }))).toBeUndefined();
    const post = { id: '3', userId: '7', createdAt: '2026-01-02T03:04:05.000Z', title: 't' };
    expect(checked(contract, 'DELETE', 'users/7/posts/3', answer(200, post))).toBeUndefined();
  });

  test('a body that breaks the document fails with the call, operation, status, and each path', () => {
    const error = checked(
      contract,
      'GET',
      'users/7',
      answer(200, { id: 7, createdAt: 'yesterday', email: 42 }),
    );
    expect(error).toBeInstanceOf(ApiContractError);
    expect(error).toBeInstanceOf(ApiResponseError);
    const lines = (error as Error).message.split('\n');
    expect(lines.slice(0, 5)).toEqual([
      'GET /users/7 answered 200, which does not match the OpenAPI document (GET /users/{id} → 200):',
      '  at $.id: must be string',
      '  at $.createdAt: must match format "date-time"',
      '  at $.email: must be string',
      'Body: {"id":7,"createdAt":"yesterday","email":42}',
    ]);
    expect(lines[5]).toContain('generated from the declared resources');
    expect((error as ApiContractError).call).toBe('GET /users/7');
  });

  test('a list names the index of the bad record; a 404 must be "Not found"', () => {
    const list = [apiUser('1'), { id: '2' }];
    expect(String(checked(contract, 'GET', 'users?page=1', answer(200, list)))).toContain(
      "  at $[1]: must have required property 'createdAt'",
    );
    expect(String(checked(contract, 'GET', 'users/9', answer(404, { error: 'gone' })))).toContain(
      'GET /users/9 answered 404, which does not match the OpenAPI document (GET /users/{id} → 404):\n  at $: must be equal to constant: "Not found"',
    );
  });

  test('lists at most five problems and counts the rest', () => {
    const bad = Array.from({ length: 7 }, () => ({}));
    const message = String(checked(contract, 'GET', 'users', answer(200, bad)));
    expect(message.split('\n').filter((line) => line.startsWith('  at '))).toHaveLength(5);
    expect(message).toContain('  … and 9 more');
  });

  test('a status the document does not list fails, naming the ones it does', () => {
    const error = checked(contract, 'PUT', 'users/7', answer(409, { error: 'conflict' }));
    expect(error).toBeInstanceOf(ApiContractError);
    expect(String(error)).toContain(
      'PUT /users/7 answered 409, which the OpenAPI document does not list for PUT /users/{id} (documented: 200, 400, 404, 429). Body: {"error":"conflict"}',
    );
  });

  test('5xx and 429 are infrastructure, never checked; nor an unlisted 401 or 403', () => {
    for (const status of [500, 502, 503, 504, 429, 401, 403]) {
      expect(
        checked(contract, 'GET', 'users/7', answer(status, '<html>down</html>')),
      ).toBeUndefined();
    }
    // Even on a path the document does not have.
    expect(checked(contract, 'GET', 'nowhere', answer(503, ''))).toBeUndefined();
  });

  test('a call the document does not have fails, naming the documented paths', () => {
    const error = checked(contract, 'POST', 'users/7?x=1', answer(200, {}));
    expect(error).toBeInstanceOf(ApiContractError);
    expect(String(error)).toContain(
      'POST /users/7?x=1 is not in the OpenAPI document: no POST operation matches /users/7 (that path documents GET, PUT, DELETE, PATCH). Documented paths: /users, /users/{id}, /users/{userId}/posts, /users/{userId}/posts/{id}.',
    );
    expect(String(checked(contract, 'GET', 'accounts/1', answer(200, {})))).toContain(
      'no GET operation matches /accounts/1. Documented paths:',
    );
  });

  test('a body that is not JSON where JSON is documented fails', () => {
    expect(String(checked(contract, 'GET', 'users/7', answer(200, '<html></html>')))).toContain(
      'GET /users/7 answered 200 with a body that is not JSON, where the OpenAPI document (GET /users/{id} → 200) says application/json. Body: <html></html>',
    );
  });
});

test.describe('a contract from a team document', () => {
  const contract = new Contract(TEAM, 'Document: TEAM');

  test('finds the response by exact status, then range, then default', () => {
    expect(responseKey(['200', '4XX', 'default'], 200)).toBe('200');
    expect(responseKey(['200', '4XX', 'default'], 404)).toBe('4XX');
    expect(responseKey(['200', '4xx'], 404)).toBe('4xx');
    expect(responseKey(['200', '4XX', 'default'], 302)).toBe('default');
    expect(responseKey(['200'], 302)).toBeUndefined();
    expect(String(checked(contract, 'GET', 'users/1', answer(404, '"Not found"')))).toContain(
      'GET /users/1 answered 404, which does not match the OpenAPI document (GET /users/{id} → 4XX):\n  at $: must be object',
    );
    expect(checked(contract, 'GET', 'users/1', answer(302, 'moved'))).toBeUndefined();
  });

  test('a documented 401 is checked by its own entry, which documents no body', () => {
    expect(checked(contract, 'GET', 'users/1', answer(401, 'no'))).toBeUndefined();
  });

  test('its schemas apply: a required integer', () => {
    expect(
      String(checked(contract, 'GET', 'users/1', answer(200, { id: '1', age: 'old' }))),
    ).toContain('  at $.age: must be integer');
    expect(checked(contract, 'GET', 'users/1', answer(200, { id: '1', age: 30 }))).toBeUndefined();
  });

  test('OpenAPI 3.0 nullable and boolean exclusive bounds are read as 3.0 means them', () => {
    const legacy = new Contract(
      {
        openapi: '3.0.3',
        info: { title: 'legacy', version: '1' },
        paths: {
          '/things/{id}': {
            get: {
              responses: {
                '200': {
                  description: 'ok',
                  content: {
                    'application/json': {
                      schema: {
                        type: 'object',
                        properties: {
                          note: { type: 'string', nullable: true },
                          score: { type: 'number', minimum: 0, exclusiveMinimum: true },
                        },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
      'Document: legacy',
    );
    expect(
      checked(legacy, 'GET', 'things/1', answer(200, { note: null, score: 1 })),
    ).toBeUndefined();
    expect(String(checked(legacy, 'GET', 'things/1', answer(200, { score: 0 })))).toContain(
      '  at $.score: must be > 0',
    );
  });
});

test.describe('the ApiClient with a contract', () => {
  const contract = generatedContract(SUITE_RESOURCES);

  test('checks the final answer, not the attempts retried before it', async () => {
    const checks: number[] = [];
    const { client } = fakeClient(
      inOrder({ status: 503, body: 'busy' }, { status: 200, body: apiUser('7') }),
      {
        contract: {
          check: (method, target, result) => {
            checks.push(result.status);
            contract.check(method, target, result);
          },
        },
      },
    );
    const users = new UsersApi({ client, consistency: CONSISTENCY });
    await expect(users.get('7')).resolves.toMatchObject({ id: '7' });
    expect(checks).toEqual([200]);
  });

  test('fails the call whose answer breaks the contract, after observers saw it', async () => {
    const seen: (number | undefined)[] = [];
    const { client } = fakeClient(inOrder({ status: 200, body: { id: '7', createdAt: 5 } }), {
      contract,
      observers: [{ onCall: (call) => void seen.push(call.status) }],
    });
    const users = new UsersApi({ client, consistency: CONSISTENCY });
    const error = await users.get('7').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ApiContractError);
    expect(String(error)).toContain(
      'GET /users/7 answered 200, which does not match the OpenAPI document (GET /users/{id} → 200):\n  at $.createdAt: must be string',
    );
    expect(seen).toEqual([200]);
  });

  test('checks nothing when no answer came', async () => {
    let checks = 0;
    const { client } = fakeClient(
      inOrder(new Error('apiRequestContext.fetch: connect ECONNREFUSED 127.0.0.1:9')),
      { contract: { check: () => void (checks += 1) } },
    );
    await expect(client.send({ method: 'GET', path: 'users' })).rejects.toThrow('ECONNREFUSED');
    expect(checks).toBe(0);
  });
});

test.describe('loading a team document', () => {
  let dir: string;
  test.beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'openapi-'));
  });
  test.afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const write = async (name: string, text: string) => {
    const file = path.join(dir, name);
    await writeFile(file, text);
    return file;
  };
  const failure = (location: string) =>
    loadContract(location, 'QA_OPENAPI').then(
      () => undefined,
      (e: unknown) => e,
    );

  test('reads JSON, and YAML, into the same contract', async () => {
    const json = await loadContract(await write('team.json', JSON.stringify(TEAM)), 'QA_OPENAPI');
    const yaml = await loadContract(
      await write(
        'team.yaml',
        [
          'openapi: 3.1.0',
          'info: { title: team, version: "1" }',
          'paths:',
          '  /users/{id}:',
          '    get:',
          '      responses:',
          "        '200':",
          '          description: a user',
          '          content:',
          '            application/json:',
          '              schema: { type: object, required: [id, age] }',
        ].join('\n'),
      ),
      'QA_OPENAPI',
    );
    for (const contract of [json, yaml]) {
      expect(contract.operations.map((o) => `${o.method} ${o.template}`)).toEqual([
        'GET /users/{id}',
      ]);
      expect(String(checked(contract, 'GET', 'users/1', answer(200, { id: '1' })))).toContain(
        "  at $: must have required property 'age'",
      );
      expect(contract.source).toContain('QA_OPENAPI=');
    }
  });

  test('a missing file is one ConfigError naming the variable and the file', async () => {
    const error = await failure(path.join(dir, 'nope.json'));
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(
      `QA_OPENAPI=${path.join(dir, 'nope.json')}: no such file (${path.join(dir, 'nope.json')}): write one with \`npm run openapi -- --out ${path.join(dir, 'nope.json')}\`, or unset the variable to use the generated document`,
    );
  });

  test('a file that is neither JSON nor YAML says so', async () => {
    const error = await failure(await write('broken.json', '{"openapi": "3.1.0",'));
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(
      /^QA_OPENAPI=.*broken\.json: neither JSON nor YAML \(/,
    );
  });

  test('an invalid document names what is wrong', async () => {
    const noInfo = { openapi: '3.1.0', paths: {} };
    const error = await failure(await write('invalid.json', JSON.stringify(noInfo)));
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(
      /^QA_OPENAPI=.*invalid\.json: not a valid OpenAPI 3\.1\.0 document: at \/: must have required property 'info'/,
    );
  });

  test('a 3.1 document with none of paths, components and webhooks: one of them is enough', async () => {
    const bare = { openapi: '3.1.0', info: { title: 'x', version: '1' } };
    const file = await write('bare.json', JSON.stringify(bare));
    const error = await failure(file);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(
      `QA_OPENAPI=${file}: not a valid OpenAPI 3.1.0 document: at /: must have at least one of paths, components or webhooks`,
    );
  });

  test('Swagger 2.0, a non-OpenAPI JSON file and references to other files are refused', async () => {
    expect(String(await failure(await write('swagger.json', '{"swagger":"2.0"}')))).toContain(
      'Swagger 2.0 is not supported: convert it to OpenAPI 3',
    );
    expect(String(await failure(await write('package.json', '{"name":"x"}')))).toContain(
      'not an OpenAPI 3 document: expected a top-level "openapi": "3.1.0"',
    );
    expect(String(await failure(await write('list.json', '[1]')))).toContain(
      'not an OpenAPI document: expected a JSON (or YAML) object at the top',
    );
    const external = structuredClone(TEAM);
    external.paths['/users/{id}'].get.responses['200'].content['application/json'].schema.$ref =
      'other.json#/User';
    expect(String(await failure(await write('external.json', JSON.stringify(external))))).toMatch(
      /QA_OPENAPI=.*external\.json: (refers to other\.json#\/User|not a valid OpenAPI)/,
    );
  });

  test.describe('from a URL', () => {
    let server: Server;
    let base: string;
    test.beforeEach(async () => {
      server = createServer((request, response) => {
        if (request.url === '/openapi.json') {
          response.setHeader('content-type', 'application/json');
          response.end(JSON.stringify(openApiDocument(SUITE_RESOURCES)));
        } else {
          response.statusCode = 404;
          response.end('no');
        }
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    test.afterEach(async () => {
      await new Promise((resolve) => server.close(resolve));
    });

    test('loads it over http(s)', async () => {
      const contract = await loadContract(`${base}/openapi.json`, 'QA_OPENAPI');
      expect(contract.operations).toHaveLength(12);
    });

    test('a URL that answers an error status says which; a query never shows', async () => {
      const error = await failure(`${base}/missing.json?token=s3cret`);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toBe(
        `QA_OPENAPI=${base}/missing.json?…: fetching the document answered 404`,
      );
    });
  });
});
