import { createUser, serverState } from './api-helpers';
import { expect, test, usersPath } from './server-fixture';

test.describe('users CRUD', () => {
  test('created users get sequential string ids and a server-set ISO createdAt', async ({
    request,
  }) => {
    const before = Date.now();
    const first = await createUser(request, { name: 'Ann', email: 'ann@example.com' });
    const second = await createUser(request, { name: 'Bob', email: 'bob@example.com' });

    expect(first.id).toBe('1');
    expect(second.id).toBe('2');
    expect(first.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    const createdAt = Date.parse(first.createdAt);
    expect(createdAt).toBeGreaterThanOrEqual(before - 1000);
    expect(createdAt).toBeLessThanOrEqual(Date.now() + 1000);
  });

  test('a POST answers 201 with the created record', async ({ request }) => {
    const response = await request.post(usersPath, { data: { name: 'Ann' } });
    expect(response.status()).toBe(201);
    expect(response.headers()['content-type']).toContain('application/json');
    expect(await response.json()).toMatchObject({ id: '1', name: 'Ann' });
  });

  test('a client-sent id and createdAt are ignored', async ({ request }) => {
    const user = await createUser(request, {
      id: '999',
      createdAt: '1999-01-01T00:00:00.000Z',
      name: 'Ann',
    });
    expect(user.id).toBe('1');
    expect(user.createdAt).not.toBe('1999-01-01T00:00:00.000Z');
    const read = await request.get(`${usersPath}/1`);
    expect(await read.json()).toEqual(user);
    expect((await request.get(`${usersPath}/999`)).status()).toBe(404);
  });

  test('every other field is stored as sent, without validation', async ({ request }) => {
    const fields = {
      name: 'user_1a2b3c4d',
      email: 'not-an-email',
      age: 42,
      active: false,
      tags: ['a', 'b'],
      address: { city: 'Oslo', zip: null },
      'odd key': 'kept',
    };
    const user = await createUser(request, fields);
    expect(user).toEqual({ ...fields, id: '1', createdAt: user.createdAt });
    expect(await (await request.get(`${usersPath}/1`)).json()).toEqual(user);
  });

  test('a created user reads back with 200 and the same record', async ({ request }) => {
    const user = await createUser(request, { name: 'Ann', email: 'ann@example.com' });
    const response = await request.get(`${usersPath}/${user.id}`);
    expect(response.status()).toBe(200);
    expect(await response.json()).toEqual(user);
  });

  test('a missing user answers 404 with the JSON string "Not found"', async ({ request }) => {
    const response = await request.get(`${usersPath}/42`);
    expect(response.status()).toBe(404);
    expect(response.headers()['content-type']).toContain('application/json');
    expect(await response.json()).toBe('Not found');
  });

  test('PUT merges the sent fields and answers 200 with the whole record', async ({ request }) => {
    const user = await createUser(request, { name: 'Ann', email: 'ann@example.com', age: 30 });
    const response = await request.put(`${usersPath}/${user.id}`, {
      data: { name: 'Anna', city: 'Oslo', id: '77', createdAt: 'never' },
    });
    expect(response.status()).toBe(200);
    const expected = { ...user, name: 'Anna', city: 'Oslo' };
    expect(await response.json()).toEqual(expected);
    expect(await (await request.get(`${usersPath}/${user.id}`)).json()).toEqual(expected);
  });

  test('PATCH merges the sent fields and keeps the rest', async ({ request }) => {
    const user = await createUser(request, { name: 'Ann', email: 'ann@example.com' });
    const response = await request.patch(`${usersPath}/${user.id}`, { data: { email: 'a@x.io' } });
    expect(response.status()).toBe(200);
    expect(await response.json()).toEqual({ ...user, email: 'a@x.io' });
    expect(await (await request.get(`${usersPath}/${user.id}`)).json()).toEqual({
      ...user,
      email: 'a@x.io',
    });
  });

  test('updating a missing user answers 404 "Not found" and creates nothing', async ({
    request,
  }) => {
    for (const method of ['put', 'patch'] as const) {
      const response = await request[method](`${usersPath}/5`, { data: { name: 'x' } });
      expect(response.status(), method).toBe(404);
      expect(await response.json()).toBe('Not found');
    }
    expect((await serverState(request)).users).toBe(0);
  });

  test('a deleted user answers 200 with the record, then 404', async ({ request }) => {
    const user = await createUser(request, { name: 'Ann' });
    await test.step('DELETE answers 200 with the deleted record', async () => {
      const response = await request.delete(`${usersPath}/${user.id}`);
      expect(response.status()).toBe(200);
      expect(await response.json()).toEqual(user);
    });
    await test.step('the deleted user answers 404', async () => {
      const response = await request.get(`${usersPath}/${user.id}`);
      expect(response.status()).toBe(404);
      expect(await response.json()).toBe('Not found');
    });
    await test.step('deleting it again answers 404', async () => {
      const response = await request.delete(`${usersPath}/${user.id}`);
      expect(response.status()).toBe(404);
      expect(await response.json()).toBe('Not found');
    });
  });

  test('ids are never reused after a delete', async ({ request }) => {
    await createUser(request, { name: 'a' });
    const second = await createUser(request, { name: 'b' });
    await request.delete(`${usersPath}/${second.id}`);
    const third = await createUser(request, { name: 'c' });
    expect(third.id).toBe('3');
  });

  test('a bare list on an empty collection answers 200 []', async ({ request }) => {
    const response = await request.get(usersPath);
    expect(response.status()).toBe(200);
    expect(await response.json()).toEqual([]);
  });

  test('the list becomes empty again once every user is deleted', async ({ request }) => {
    const users = [await createUser(request, { n: 1 }), await createUser(request, { n: 2 })];
    for (const user of users) {
      expect((await request.delete(`${usersPath}/${user.id}`)).status()).toBe(200);
    }
    const response = await request.get(usersPath);
    expect(response.status()).toBe(200);
    expect(await response.json()).toEqual([]);
  });

  test('a trailing slash reaches the same resource', async ({ request }) => {
    await createUser(request, { name: 'Ann' });
    expect((await request.get(`${usersPath}/`)).status()).toBe(200);
    expect((await request.get(`${usersPath}/1/`)).status()).toBe(200);
  });

  test('the control API reports users in the primary, the last id, duplicate emails and the request count', async ({
    request,
  }) => {
    expect(await serverState(request)).toEqual({
      users: 0,
      lastId: null,
      duplicateEmails: 0,
      requests: 0,
      inFlight: 0,
      throttled: 0,
    });
    await createUser(request, { name: 'a', email: 'a@example.com' });
    await createUser(request, { name: 'b', email: 'b@example.com' });
    await request.delete(`${usersPath}/1`);
    // The same email again, although its first record is gone: a duplicate create all the same.
    await createUser(request, { name: 'a again', email: 'a@example.com' });
    expect(await serverState(request)).toEqual({
      users: 2,
      lastId: '3',
      duplicateEmails: 1,
      requests: 4,
      inFlight: 0,
      throttled: 0,
    });
  });

  test('the health endpoint answers 200 {"status":"ok"}', async ({ request }) => {
    const response = await request.get('/__control/health');
    expect(response.status()).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });
});

test.describe('a custom prefix', () => {
  test.use({ serverOptions: { prefix: '/v2/' } });

  test('serves the users resource under that prefix only', async ({ request }) => {
    expect((await request.post('/v2/users', { data: { name: 'Ann' } })).status()).toBe(201);
    expect((await request.get('/v2/users/1')).status()).toBe(200);
    expect((await request.get(`${usersPath}/1`)).status()).toBe(404);
  });
});

test.describe('a root prefix', () => {
  test.use({ serverOptions: { prefix: '/' } });

  test('serves /users and answers other paths with "Not found"', async ({ request }) => {
    expect((await request.post('/users', { data: { name: 'Ann' } })).status()).toBe(201);
    expect((await request.get('/users/1')).status()).toBe(200);
    const unknown = await request.get('/posts');
    expect(unknown.status()).toBe(404);
    expect(await unknown.json()).toBe('Not found');
    expect((await request.get('/__control/health')).status()).toBe(200);
  });
});
