import { createUser, serverState } from './api-helpers';
import { expect, test, usersPath } from './server-fixture';

const json = { 'content-type': 'application/json' };

const nonObjectBodies: [label: string, body: string][] = [
  ['an array', '[{"name":"Ann"}]'],
  ['a string', '"Ann"'],
  ['a number', '42'],
  ['null', 'null'],
  ['a boolean', 'true'],
];

const malformedBodies: [label: string, body: string][] = [
  ['truncated JSON', '{"name": "Ann"'],
  ['single quotes', "{'name': 'Ann'}"],
  ['trailing comma', '{"name": "Ann",}'],
  ['plain words', 'hello'],
  ['a prototype-poisoning key', '{"__proto__": {"admin": true}}'],
];

test.describe('bodies that are not a JSON object', () => {
  for (const [label, body] of [...nonObjectBodies, ...malformedBodies]) {
    test(`POST with ${label} answers 400 with an error message and stores nothing`, async ({
      api,
    }) => {
      const response = await api.post(usersPath, { data: body, headers: json });
      expect(response.status()).toBe(400);
      const payload = (await response.json()) as { error: string };
      expect(payload.error).toEqual(expect.any(String));
      expect(payload.error.length).toBeGreaterThan(10);
      expect((await serverState(api)).users).toBe(0);
    });
  }

  test('the message says which kind of value was sent', async ({ api }) => {
    const response = await api.post(usersPath, { data: '[1]', headers: json });
    expect(await response.json()).toEqual({
      error: 'request body must be a JSON object, got an array',
    });
  });

  for (const contentType of [
    'text/plain',
    'application/x-www-form-urlencoded',
    'application/xml',
  ]) {
    test(`POST with Content-Type ${contentType} answers 400 naming it`, async ({ api }) => {
      const response = await api.post(usersPath, {
        data: 'name=Ann',
        headers: { 'content-type': contentType },
      });
      expect(response.status()).toBe(400);
      expect(((await response.json()) as { error: string }).error).toContain(contentType);
      expect((await serverState(api)).users).toBe(0);
    });
  }

  test('POST without a body answers 400', async ({ api }) => {
    const response = await api.post(usersPath);
    expect(response.status()).toBe(400);
    expect(((await response.json()) as { error: string }).error).toContain('missing');
  });

  test('POST with an empty JSON body answers 400', async ({ api }) => {
    const response = await api.post(usersPath, { data: '', headers: json });
    expect(response.status()).toBe(400);
    expect((await serverState(api)).users).toBe(0);
  });

  test('a body over the size limit answers 413 and stores nothing', async ({ api }) => {
    const response = await api.post(usersPath, {
      data: { name: 'x'.repeat(1024 * 1024 + 10) },
    });
    expect(response.status()).toBe(413);
    expect(((await response.json()) as { error: string }).error).toContain('limit');
    expect((await serverState(api)).users).toBe(0);
  });

  test('a body nested too deeply answers 400', async ({ api }) => {
    const deep = `{"a":${'['.repeat(5000)}${']'.repeat(5000)}}`;
    const response = await api.post(usersPath, { data: deep, headers: json });
    expect(response.status()).toBe(400);
    expect((await serverState(api)).users).toBe(0);
  });

  test('PUT and PATCH with a bad body answer 400 and leave the user unchanged', async ({ api }) => {
    const user = await createUser(api, { name: 'Ann' });
    for (const method of ['put', 'patch'] as const) {
      for (const [label, body] of [...nonObjectBodies, ...malformedBodies]) {
        const response = await api[method](`${usersPath}/${user.id}`, {
          data: body,
          headers: json,
        });
        expect(response.status(), `${method} with ${label}`).toBe(400);
      }
      const plain = await api[method](`${usersPath}/${user.id}`, {
        data: 'name=Bob',
        headers: { 'content-type': 'text/plain' },
      });
      expect(plain.status()).toBe(400);
    }
    expect(await (await api.get(`${usersPath}/${user.id}`)).json()).toEqual(user);
  });
});

test.describe('unknown routes', () => {
  test('an unknown path under the prefix answers 404 "Not found"', async ({ api }) => {
    // posts is served by default, as a child of users; comments and tasks are not.
    for (const path of [
      '/api/v1/comments',
      '/api/v1/users/1/tasks',
      '/api/v1/posts/1/x',
      '/api/v1',
    ]) {
      const response = await api.get(path);
      expect(response.status(), path).toBe(404);
      expect(await response.json()).toBe('Not found');
    }
  });

  test('a path outside the prefix answers 404 pointing at the API', async ({ api }) => {
    const response = await api.get('/users');
    expect(response.status()).toBe(404);
    expect(((await response.json()) as { error: string }).error).toContain('/api/v1/users');
  });

  test('a method the collection does not support answers 404', async ({ api }) => {
    expect((await api.delete(usersPath)).status()).toBe(404);
    expect((await api.put(usersPath, { data: { name: 'x' } })).status()).toBe(404);
    expect((await api.post(`${usersPath}/1`, { data: { name: 'x' } })).status()).toBe(404);
    expect((await serverState(api)).users).toBe(0);
  });

  test('a DELETE with a body still deletes', async ({ api }) => {
    const user = await createUser(api, { name: 'Ann' });
    const response = await api.delete(`${usersPath}/${user.id}`, {
      data: 'ignored',
      headers: { 'content-type': 'text/plain' },
    });
    expect(response.status()).toBe(200);
  });
});
