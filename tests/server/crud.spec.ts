import { createUser, serverState } from './api-helpers';
import { expect, test, usersPath } from './server-fixture';

test.describe('users CRUD', () => {
  test('created users get sequential string ids and a server-set ISO createdAt', async ({
    api,
  }) => {
    const before = Date.now();
    const first = await createUser(api, { name: 'Ann', email: 'ann@example.com' });
    const second = await createUser(api, { name: 'Bob', email: 'bob@example.com' });

    expect(first.id).toBe('1');
    expect(second.id).toBe('2');
    expect(first.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    const createdAt = Date.parse(first.createdAt);
    expect(createdAt).toBeGreaterThanOrEqual(before - 1000);
    expect(createdAt).toBeLessThanOrEqual(Date.now() + 1000);
  });

  test('a POST answers 201 with the created record', async ({ api }) => {
    const response = await api.post(usersPath, { data: { name: 'Ann' } });
    expect(response.status()).toBe(201);
    expect(response.headers()['content-type']).toContain('application/json');
    expect(await response.json()).toMatchObject({ id: '1', name: 'Ann' });
  });

  test('a client-sent id and createdAt are ignored', async ({ api }) => {
    const user = await createUser(api, {
      id: '999',
      createdAt: '1999-01-01T00:00:00.000Z',
      name: 'Ann',
    });
    expect(user.id).toBe('1');
    expect(user.createdAt).not.toBe('1999-01-01T00:00:00.000Z');
    const read = await api.get(`${usersPath}/1`);
    expect(await read.json()).toEqual(user);
    expect((await api.get(`${usersPath}/999`)).status()).toBe(404);
  });

  test('every other field is stored as sent, without validation', async ({ api }) => {
    const fields = {
      name: 'user_1a2b3c4d',
      email: 'not-an-email',
      age: 42,
      active: false,
      tags: ['a', 'b'],
      address: { city: 'Oslo', zip: null },
      'odd key': 'kept',
    };
    const user = await createUser(api, fields);
    expect(user).toEqual({ ...fields, id: '1', createdAt: user.createdAt });
    expect(await (await api.get(`${usersPath}/1`)).json()).toEqual(user);
  });

  test('a created user reads back with 200 and the same record', async ({ api }) => {
    const user = await createUser(api, { name: 'Ann', email: 'ann@example.com' });
    const response = await api.get(`${usersPath}/${user.id}`);
    expect(response.status()).toBe(200);
    expect(await response.json()).toEqual(user);
  });

  test('a missing user answers 404 with the JSON string "Not found"', async ({ api }) => {
    const response = await api.get(`${usersPath}/42`);
    expect(response.status()).toBe(404);
    expect(response.headers()['content-type']).toContain('application/json');
    expect(await response.json()).toBe('Not found');
  });

  test('PUT merges the sent fields and answers 200 with the whole record', async ({ api }) => {
    const user = await createUser(api, { name: 'Ann', email: 'ann@example.com', age: 30 });
    const response = await api.put(`${usersPath}/${user.id}`, {
      data: { name: 'Anna', city: 'Oslo', id: '77', createdAt: 'never' },
    });
    expect(response.status()).toBe(200);
    const expected = { ...user, name: 'Anna', city: 'Oslo' };
    expect(await response.json()).toEqual(expected);
    expect(await (await api.get(`${usersPath}/${user.id}`)).json()).toEqual(expected);
  });

  test('PATCH merges the sent fields and keeps the rest', async ({ api }) => {
    const user = await createUser(api, { name: 'Ann', email: 'ann@example.com' });
    const response = await api.patch(`${usersPath}/${user.id}`, { data: { email: 'a@x.io' } });
    expect(response.status()).toBe(200);
    expect(await response.json()).toEqual({ ...user, email: 'a@x.io' });
    expect(await (await api.get(`${usersPath}/${user.id}`)).json()).toEqual({
      ...user,
      email: 'a@x.io',
    });
  });

  test('updating a missing user answers 404 "Not found" and creates nothing', async ({ api }) => {
    for (const method of ['put', 'patch'] as const) {
      const response = await api[method](`${usersPath}/5`, { data: { name: 'x' } });
      expect(response.status(), method).toBe(404);
      expect(await response.json()).toBe('Not found');
    }
    expect((await serverState(api)).users).toBe(0);
  });

  test('a deleted user answers 200 with the record, then 404', async ({ api }) => {
    const user = await createUser(api, { name: 'Ann' });
    await test.step('DELETE answers 200 with the deleted record', async () => {
      const response = await api.delete(`${usersPath}/${user.id}`);
      expect(response.status()).toBe(200);
      expect(await response.json()).toEqual(user);
    });
    await test.step('the deleted user answers 404', async () => {
      const response = await api.get(`${usersPath}/${user.id}`);
      expect(response.status()).toBe(404);
      expect(await response.json()).toBe('Not found');
    });
    await test.step('deleting it again answers 404', async () => {
      const response = await api.delete(`${usersPath}/${user.id}`);
      expect(response.status()).toBe(404);
      expect(await response.json()).toBe('Not found');
    });
  });

  test('ids are never reused after a delete', async ({ api }) => {
    await createUser(api, { name: 'a' });
    const second = await createUser(api, { name: 'b' });
    await api.delete(`${usersPath}/${second.id}`);
    const third = await createUser(api, { name: 'c' });
    expect(third.id).toBe('3');
  });

  test('a bare list on an empty collection answers 200 []', async ({ api }) => {
    const response = await api.get(usersPath);
    expect(response.status()).toBe(200);
    expect(await response.json()).toEqual([]);
  });

  test('the list becomes empty again once every user is deleted', async ({ api }) => {
    const users = [await createUser(api, { n: 1 }), await createUser(api, { n: 2 })];
    for (const user of users) {
      expect((await api.delete(`${usersPath}/${user.id}`)).status()).toBe(200);
    }
    const response = await api.get(usersPath);
    expect(response.status()).toBe(200);
    expect(await response.json()).toEqual([]);
  });

  test('a trailing slash reaches the same resource', async ({ api }) => {
    await createUser(api, { name: 'Ann' });
    expect((await api.get(`${usersPath}/`)).status()).toBe(200);
    expect((await api.get(`${usersPath}/1/`)).status()).toBe(200);
  });

  test('the control API reports users in the primary, the last id, duplicate emails and the request count', async ({
    api,
  }) => {
    const empty = { records: 0, lastId: null, duplicateEmails: 0 };
    expect(await serverState(api)).toEqual({
      users: 0,
      lastId: null,
      duplicateEmails: 0,
      requests: 0,
      inFlight: 0,
      throttled: 0,
      resources: { users: empty, posts: empty },
    });
    await createUser(api, { name: 'a', email: 'a@example.com' });
    await createUser(api, { name: 'b', email: 'b@example.com' });
    await api.delete(`${usersPath}/1`);
    // The same email again, although its first record is gone: a duplicate create all the same.
    await createUser(api, { name: 'a again', email: 'a@example.com' });
    expect(await serverState(api)).toEqual({
      users: 2,
      lastId: '3',
      duplicateEmails: 1,
      requests: 4,
      inFlight: 0,
      throttled: 0,
      resources: { users: { records: 2, lastId: '3', duplicateEmails: 1 }, posts: empty },
    });
  });

  test('the health endpoint answers 200 {"status":"ok"}', async ({ api }) => {
    const response = await api.get('/__control/health');
    expect(response.status()).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });
});

test.describe('a custom prefix', () => {
  test.use({ serverOptions: { prefix: '/v2/' } });

  test('serves the users resource under that prefix only', async ({ api }) => {
    expect((await api.post('/v2/users', { data: { name: 'Ann' } })).status()).toBe(201);
    expect((await api.get('/v2/users/1')).status()).toBe(200);
    expect((await api.get(`${usersPath}/1`)).status()).toBe(404);
  });
});

test.describe('a root prefix', () => {
  test.use({ serverOptions: { prefix: '/' } });

  test('serves /users and answers other paths with "Not found"', async ({ api }) => {
    expect((await api.post('/users', { data: { name: 'Ann' } })).status()).toBe(201);
    expect((await api.get('/users/1')).status()).toBe(200);
    const unknown = await api.get('/comments');
    expect(unknown.status()).toBe(404);
    expect(await unknown.json()).toBe('Not found');
    expect((await api.get('/__control/health')).status()).toBe(200);
  });
});
