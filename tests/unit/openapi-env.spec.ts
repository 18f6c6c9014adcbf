import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { loadEnvironment } from '../../lib/config/environment';
import { expect, test as base } from '../../lib/fixtures';
import { createLogger } from '../../lib/logging/logger';
import { postsResource } from '../../lib/posts/posts-resource';
import { ApiContractError } from '../../lib/openapi/contract';
import { environmentContract } from '../../lib/openapi/contract-loader';
import { openSession } from '../../lib/session/session';
import { SUITE_RESOURCES } from '../../lib/suite-resources';
import { BASE_URL, fakeRequestContext } from './support/fake-request';

/**
 * A team's document that is stricter than mockapi.io: a user has a valid email and an integer age.
 * Lists are documented too (the worker's sweep lists by marker), answering 200 or "Not found".
 */
const TEAM_USER = {
  type: 'object',
  required: ['id', 'email', 'age'],
  properties: {
    id: { type: 'string' },
    email: { type: 'string', format: 'email' },
    age: { type: 'integer' },
  },
};
const TEAM_DOCUMENT = {
  openapi: '3.1.0',
  info: { title: 'team users', version: '1' },
  paths: {
    '/users': {
      post: {
        responses: {
          '201': {
            description: 'the user made',
            content: { 'application/json': { schema: TEAM_USER } },
          },
        },
      },
      get: {
        responses: {
          '200': {
            description: 'users',
            content: { 'application/json': { schema: { type: 'array' } } },
          },
          '404': { description: 'none' },
        },
      },
    },
    '/users/{id}': {
      get: {
        responses: {
          '200': {
            description: 'a user',
            content: {
              'application/json': {
                schema: TEAM_USER,
              },
            },
          },
          '404': { description: 'no such user' },
        },
      },
      delete: {
        responses: {
          '200': {
            description: 'the user deleted',
            content: { 'application/json': { schema: TEAM_USER } },
          },
          '404': { description: 'no such user' },
        },
      },
    },
  },
};

const CREATED_AT = '2026-01-02T03:04:05.000Z';
/** What the fake API answers: mockapi.io-valid users that break the team's document. */
const USERS: Record<string, { status: number; body: unknown }> = {
  '7': { status: 200, body: { id: '7', createdAt: CREATED_AT, email: 'not-an-email' } },
  '8': { status: 200, body: { id: '8', createdAt: 'yesterday' } },
  teapot: { status: 418, body: 'short and stout' },
};
/** A user the fake API creates (without the age the team requires), and the ids it deleted. */
const CREATED = { id: '9', createdAt: CREATED_AT, email: 'made@example.com' };
const deletedIds: string[] = [];

const withDocument = async <T>(
  body: (file: string) => Promise<T>,
  document: object = TEAM_DOCUMENT,
): Promise<T> => {
  const dir = await mkdtemp(path.join(tmpdir(), 'openapi-env-'));
  try {
    const file = path.join(dir, 'openapi.json');
    await writeFile(file, JSON.stringify(document));
    return await body(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};

/** The suite's fixtures against a small HTTP API of this worker that answers {@link USERS}. */
const test = base.extend<object, { apiRoot: string }>({
  apiRoot: [
    async ({}, use) => {
      const server = createServer((request, response) => {
        const url = new URL(request.url ?? '/', 'http://localhost');
        const id = /^\/api\/v1\/users\/([^/]+)$/.exec(url.pathname)?.[1];
        const created = id === CREATED.id && !deletedIds.includes(id);
        if (request.method === 'DELETE' && created) deletedIds.push(CREATED.id);
        const answer =
          request.method === 'POST' && url.pathname === '/api/v1/users'
            ? { status: 201, body: CREATED }
            : created
              ? { status: 200, body: CREATED }
              : ((id === undefined ? undefined : USERS[id]) ?? { status: 404, body: 'Not found' });
        response.statusCode = answer.status;
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify(answer.body));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      await use(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`);
      await new Promise((resolve) => server.close(resolve));
    },
    { scope: 'worker' },
  ],
  environment: [
    async ({ apiRoot }, use) => {
      const variables = { QA_BASE_URL: apiRoot, QA_RATE_LIMIT_RPS: '0', QA_RETRY_ATTEMPTS: '1' };
      await withDocument((file) => use(loadEnvironment('qa', { ...variables, QA_OPENAPI: file })));
    },
    { scope: 'worker' },
  ],
});

test.describe('QA_OPENAPI for a session opened outside the fixtures (scripts)', () => {
  test('a response that breaks the team document fails the call, naming the variable', async () => {
    await withDocument(async (file) => {
      const environment = loadEnvironment('qa', {
        QA_BASE_URL: BASE_URL,
        QA_OPENAPI: file,
        QA_RATE_LIMIT_RPS: '0',
      });
      const { context } = fakeRequestContext(() => ({ status: 200, body: USERS['7']?.body }));
      const { users } = openSession(environment, {
        request: context,
        logger: createLogger({ level: 'silent' }),
        pacer: undefined,
        contract: await environmentContract(environment, SUITE_RESOURCES),
      });
      const error = await users.get('7').then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ApiContractError);
      expect((error as Error).message).toBe(
        [
          'GET /users/7 answered 200, which does not match the OpenAPI document (GET /users/{id} → 200):',
          "  at $: must have required property 'age'",
          '  at $.email: must match format "email"',
          'Body: {"id":"7","createdAt":"2026-01-02T03:04:05.000Z","email":"not-an-email"}',
          `Document: QA_OPENAPI=${file}`,
        ].join('\n'),
      );
    });
  });

  test('a response schema that does not compile fails at load, not at the first response', async () => {
    // Valid OpenAPI (a pattern is any string there), but no regular expression: Ajv cannot compile it.
    const id = { type: 'string', pattern: '(' };
    const broken = structuredClone(TEAM_DOCUMENT);
    broken.paths['/users'].post.responses['201'].content['application/json'].schema = {
      ...TEAM_USER,
      properties: { ...TEAM_USER.properties, id },
    };
    await withDocument(async (file) => {
      const environment = loadEnvironment('qa', { QA_BASE_URL: BASE_URL, QA_OPENAPI: file });
      await expect(environmentContract(environment, SUITE_RESOURCES)).rejects.toThrow(
        `QA_OPENAPI=${file}: a response schema does not compile`,
      );
    }, broken);
  });

  test('a document that cannot be loaded fails with one line naming the variable', async () => {
    const environment = loadEnvironment('qa', {
      QA_BASE_URL: BASE_URL,
      QA_OPENAPI: '/nonexistent/openapi.json',
    });
    await expect(environmentContract(environment, SUITE_RESOURCES)).rejects.toThrow(
      /^QA_OPENAPI=\/nonexistent\/openapi\.json: no such file/,
    );
  });
});

const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => e,
  );

test.describe('the fixtures check every response against QA_OPENAPI', () => {
  test('a user without the age the team requires fails the call', async ({
    users,
    environment,
  }) => {
    const error = await failureOf(users.get('7'));
    expect(error).toBeInstanceOf(ApiContractError);
    expect(String(error)).toContain(
      'GET /users/7 answered 200, which does not match the OpenAPI document (GET /users/{id} → 200):\n  at $: must have required property \'age\'\n  at $.email: must match format "email"',
    );
    expect(String(error)).toContain(`Document: QA_OPENAPI=${environment.openapi ?? ''}`);
  });

  test('so does a raw call, whose body no schema of the suite checks', async ({ users }) => {
    const error = await failureOf(users.raw({ method: 'GET', path: '8' }));
    expect(String(error)).toContain(
      "GET /users/8 answered 200, which does not match the OpenAPI document (GET /users/{id} → 200):\n  at $: must have required property 'email'",
    );
  });

  test('a status the document does not list fails, naming the ones it does', async ({ users }) => {
    const error = await failureOf(users.raw({ method: 'GET', path: 'teapot' }));
    expect(error).toBeInstanceOf(ApiContractError);
    expect(String(error)).toContain(
      'GET /users/teapot answered 418, which the OpenAPI document does not list for GET /users/{id} (documented: 200, 404). Body: "short and stout"',
    );
  });

  test('a call the document does not have fails, naming the documented paths', async ({ api }) => {
    const error = await failureOf(api(postsResource, { userId: '7' }).list());
    expect(String(error)).toContain(
      'GET /users/7/posts is not in the OpenAPI document: no GET operation matches /users/7/posts. Documented paths: /users, /users/{id}.',
    );
  });
});

test.describe.serial('cleanup after an answer that breaks QA_OPENAPI', () => {
  test('a create whose answer breaks the document fails the test, and is tracked for cleanup', async ({
    users,
    factory,
    cleanup,
  }) => {
    const error = await failureOf(users.create(factory.build()));
    expect(error).toBeInstanceOf(ApiContractError);
    expect(String(error)).toContain('POST /users answered 201, which does not match');
    expect(cleanup.pending).toHaveLength(1);
  });

  test('the teardown deleted it, though its answers break the document too', () => {
    // The previous test's teardown deletes without contract checks; with them it would stop at the
    // DELETE's answer, and the record would stay behind on a remote environment.
    expect(deletedIds).toEqual([CREATED.id]);
  });
});
