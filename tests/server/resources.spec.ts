import { buildApp } from '../../server/app';
import { parentFieldOf } from '../../server/resources';
import { createRecord, idsOf, serverState } from './api-helpers';
import { expect, test, usersPath } from './server-fixture';
import { startServerProcess } from './server-process';

const productsPath = '/api/v1/products';

test.describe('by default', () => {
  test('the server serves users and their posts, and nothing else', async ({ api }) => {
    expect((await api.get(usersPath)).status()).toBe(200);
    expect((await api.get('/api/v1/posts')).status()).toBe(200);
    expect((await api.get('/api/v1/products')).status()).toBe(404);
    expect(Object.keys((await serverState(api)).resources)).toEqual(['users', 'posts']);
  });
});

test.describe('a third resource, declared', () => {
  test.use({ serverOptions: { resources: ['users', 'users/:userId/posts', 'products'] } });

  test('gets mockapi.io’s semantics and ids of its own', async ({ api }) => {
    await createRecord(api, usersPath, { name: 'Ann' });
    const first = await createRecord(api, productsPath, { name: 'Lamp', price: 30, id: '9' });
    const second = await createRecord(api, productsPath, { name: 'Desk', price: 120 });
    expect(idsOf([first, second])).toEqual(['1', '2']);
    expect(first.createdAt).toEqual(expect.any(String));

    const sorted = await api.get(productsPath, { params: { sortBy: 'price', order: 'desc' } });
    expect(idsOf(await sorted.json())).toEqual(['2', '1']);
    const none = await api.get(productsPath, { params: { name: 'sofa' } });
    expect(none.status()).toBe(404);
    expect(await none.json()).toBe('Not found');

    const patched = await api.patch(`${productsPath}/1`, { data: { price: 25 } });
    expect(await patched.json()).toEqual({ ...first, price: 25 });
    expect(await (await api.delete(`${productsPath}/2`)).json()).toEqual(second);
    expect((await api.get(`${productsPath}/2`)).status()).toBe(404);
    expect((await api.post(productsPath, { data: '[]', headers: json })).status()).toBe(400);

    const state = await serverState(api);
    expect(state.resources['products']).toEqual({ records: 1, lastId: '2', duplicateEmails: 0 });
    expect(state).toMatchObject({ users: 1, lastId: '1' });
  });

  test('is not nested under anything', async ({ api }) => {
    await createRecord(api, usersPath, { name: 'Ann' });
    expect((await api.get(`${usersPath}/1/products`)).status()).toBe(404);
  });
});

test.describe('only the declared resources', () => {
  test.use({ serverOptions: { resources: ['products'] } });

  test('are served; the control API still reports users, as none', async ({ api }) => {
    const users = await api.get(usersPath);
    expect(users.status()).toBe(404);
    expect(await users.json()).toBe('Not found');
    await createRecord(api, productsPath, { name: 'Lamp' });
    expect(await serverState(api)).toMatchObject({
      users: 0,
      lastId: null,
      duplicateEmails: 0,
      resources: { products: { records: 1, lastId: '1', duplicateEmails: 0 } },
    });
  });
});

test.describe('a child declared as an object', () => {
  test.use({
    serverOptions: {
      resources: [
        { name: 'users' },
        { name: 'posts', parent: 'users' },
        { name: 'comments', parent: 'posts' },
      ],
    },
  });

  test('gets its parent id field from the parent’s name, and lives under the parent', async ({
    api,
  }) => {
    await createRecord(api, usersPath, { name: 'Ann' });
    await createRecord(api, `${usersPath}/1/posts`, { title: 'x' });
    const comment = await createRecord(api, '/api/v1/posts/1/comments', { text: 'hi' });
    expect(comment).toMatchObject({ id: '1', postId: '1', text: 'hi' });
    expect(await (await api.get('/api/v1/posts/1/comments')).json()).toEqual([comment]);
    expect((await api.get('/api/v1/posts/2/comments')).status()).toBe(404);
    expect(await (await api.get('/api/v1/comments/1')).json()).toEqual(comment);
  });
});

test.describe('a child with its parent id field named in the declaration', () => {
  test.use({ serverOptions: { resources: ['people', 'people/:personId/addresses'] } });

  test('stores the parent id under that name', async ({ api }) => {
    await createRecord(api, '/api/v1/people', { name: 'Ann' });
    const address = await createRecord(api, '/api/v1/people/1/addresses', { city: 'Oslo' });
    expect(address).toMatchObject({ personId: '1', city: 'Oslo' });
  });
});

test('the parent id field is the parent’s name in the singular plus Id', () => {
  const cases: [string, string][] = [
    ['users', 'userId'],
    ['posts', 'postId'],
    ['categories', 'categoryId'],
    ['addresses', 'addressId'],
    ['boxes', 'boxId'],
    ['days', 'dayId'],
    ['news', 'newId'],
    ['sheep', 'sheepId'],
  ];
  for (const [parent, field] of cases) expect(parentFieldOf(parent), parent).toBe(field);
});

test('a declaration that cannot be served is refused, naming the problem', () => {
  const cases: [unknown[], string][] = [
    [['users/:userId/posts'], 'the parent "users" of "posts" must be declared'],
    [['users', 'users'], 'resource "users" is declared twice'],
    [['users', 'users/:id/posts'], '"id" belongs to the server'],
    [['users/posts'], 'PARENT/:parentIdField/NAME'],
    [['1users'], 'PARENT/:parentIdField/NAME'],
    [[], 'at least one resource'],
  ];
  for (const [resources, message] of cases) {
    expect(() => buildApp({ resources: resources as string[] }), JSON.stringify(resources)).toThrow(
      message,
    );
  }
});

test.describe('declared on the command line', () => {
  test.describe.configure({ timeout: 60_000 });

  test('--resource and MOCK_RESOURCE serve exactly the resources they name', async ({
    playwright,
  }) => {
    const server = await startServerProcess(
      ['--port', '0', '--resource', 'users', '--resource', 'users/:userId/posts,products'],
      { MOCK_RESOURCE: 'orders' },
    );
    try {
      const request = await playwright.request.newContext({
        baseURL: `http://127.0.0.1:${server.port}`,
      });
      expect((await request.post(productsPath, { data: { name: 'Lamp' } })).status()).toBe(201);
      expect((await request.post(usersPath, { data: { name: 'Ann' } })).status()).toBe(201);
      const post = await request.post(`${usersPath}/1/posts`, { data: { title: 'x' } });
      expect(await post.json()).toMatchObject({ id: '1', userId: '1' });
      // The flag wins over the variable: no orders.
      expect((await request.get('/api/v1/orders')).status()).toBe(404);
      await request.dispose();
    } finally {
      await server.stop();
    }
  });
});

const json = { 'content-type': 'application/json' };
