import { createRecord, createUsers, idsOf, serverState, type ApiRecord } from './api-helpers';
import type { HttpClient } from './inject-client';
import { expect, postsPath, test, userPostsPath, usersPath } from './server-fixture';

type QueryParams = Record<string, string | number>;

/** Creates a post under a user and insists on 201. */
function createPost(
  api: HttpClient,
  userId: string,
  fields: Record<string, unknown>,
): Promise<ApiRecord> {
  return createRecord(api, userPostsPath(userId), fields);
}

/** Two users and four posts: 1, 3 and 4 by user 1, 2 by user 2. */
async function seed(api: HttpClient): Promise<{ posts: ApiRecord[] }> {
  await createUsers(api, [{ name: 'Ann' }, { name: 'Bob' }]);
  const posts = [
    await createPost(api, '1', { title: 'Zebra crossing', likes: 3 }),
    await createPost(api, '2', { title: 'Bob writes', likes: 9 }),
    await createPost(api, '1', { title: 'apple pie', likes: 1 }),
    await createPost(api, '1', { title: 'Middle road', likes: 2 }),
  ];
  return { posts };
}

test.describe('posts under a user', () => {
  test('a post created under a user carries its id in userId and gets the next post id', async ({
    api,
  }) => {
    await createUsers(api, [{ name: 'Ann' }, { name: 'Bob' }, { name: 'Cy' }]);
    const response = await api.post(userPostsPath('2'), { data: { title: 'Hello' } });
    expect(response.status()).toBe(201);
    const post = (await response.json()) as ApiRecord;
    // Post ids are their own sequence, whatever the users' ids.
    expect(post).toEqual({ title: 'Hello', userId: '2', id: '1', createdAt: expect.any(String) });
    expect(post.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(await (await api.get(`${userPostsPath('2')}/1`)).json()).toEqual(post);
  });

  test('the userId in the URL wins over one the client sends', async ({ api }) => {
    await createUsers(api, [{ name: 'Ann' }, { name: 'Bob' }]);
    const post = await createPost(api, '1', { title: 'Mine', userId: '2', id: '77' });
    expect(post).toMatchObject({ id: '1', userId: '1' });
    expect((await api.get(userPostsPath('2'))).status()).toBe(200);
    expect(await (await api.get(userPostsPath('2'))).json()).toEqual([]);
  });

  test('post ids run in one sequence across all users and are never reused', async ({ api }) => {
    const { posts } = await seed(api);
    expect(idsOf(posts)).toEqual(['1', '2', '3', '4']);
    await api.delete(`${userPostsPath('1')}/4`);
    expect((await createPost(api, '2', { title: 'later' })).id).toBe('5');
  });

  test('listing under a user shows only that user’s posts, in id order', async ({ api }) => {
    const { posts } = await seed(api);
    const response = await api.get(userPostsPath('1'));
    expect(response.status()).toBe(200);
    expect(await response.json()).toEqual([posts[0], posts[2], posts[3]]);
    expect(idsOf(await (await api.get(userPostsPath('2'))).json())).toEqual(['2']);
  });

  test('a user without posts lists 200 [], a query on it 404 "Not found"', async ({ api }) => {
    await createUsers(api, [{ name: 'Ann' }]);
    const bare = await api.get(userPostsPath('1'));
    expect(bare.status()).toBe(200);
    expect(await bare.json()).toEqual([]);
    const queried = await api.get(userPostsPath('1'), { params: { page: 1, limit: 10 } });
    expect(queried.status()).toBe(404);
    expect(await queried.json()).toBe('Not found');
  });

  test('page, limit, sortBy, order, search and filters apply within the user’s posts', async ({
    api,
  }) => {
    await seed(api);
    const cases: [QueryParams, string[]][] = [
      [{ page: 2, limit: 2 }, ['4']],
      [{ sortBy: 'title' }, ['3', '4', '1']],
      [{ sortBy: 'likes', order: 'desc' }, ['1', '4', '3']],
      [{ order: 'desc', limit: 2 }, ['4', '3']],
      [{ search: 'ROAD' }, ['4']],
      [{ title: 'e' }, ['1', '3', '4']],
      [{ likes: '2' }, ['4']],
    ];
    for (const [params, ids] of cases) {
      const response = await api.get(userPostsPath('1'), { params });
      expect(idsOf(await response.json()), JSON.stringify(params)).toEqual(ids);
    }
    // Bob's post matches "writes", but it is not Ann's.
    const other = await api.get(userPostsPath('1'), { params: { search: 'writes' } });
    expect(other.status()).toBe(404);
    expect(await other.json()).toBe('Not found');
  });

  test('PUT and PATCH merge under the user, and userId stays the URL’s', async ({ api }) => {
    const { posts } = await seed(api);
    for (const method of ['put', 'patch'] as const) {
      const response = await api[method](`${userPostsPath('1')}/3`, {
        data: { title: `by ${method}`, userId: '2', id: '9', createdAt: 'never', extra: method },
      });
      expect(response.status(), method).toBe(200);
      const expected = { ...posts[2], title: `by ${method}`, extra: method };
      expect(await response.json()).toEqual(expected);
      expect(await (await api.get(`${postsPath}/3`)).json()).toEqual(expected);
    }
  });

  test('DELETE under the user answers the post, then 404 under the user and at the top', async ({
    api,
  }) => {
    const { posts } = await seed(api);
    const response = await api.delete(`${userPostsPath('1')}/3`);
    expect(response.status()).toBe(200);
    expect(await response.json()).toEqual(posts[2]);
    for (const path of [`${userPostsPath('1')}/3`, `${postsPath}/3`]) {
      const read = await api.get(path);
      expect(read.status(), path).toBe(404);
      expect(await read.json()).toBe('Not found');
    }
    expect((await api.delete(`${userPostsPath('1')}/3`)).status()).toBe(404);
  });

  test('a post under the wrong user answers 404 to every method and stays as it was', async ({
    api,
  }) => {
    const { posts } = await seed(api);
    const wrong = `${userPostsPath('2')}/1`;
    const responses = {
      get: await api.get(wrong),
      put: await api.put(wrong, { data: { title: 'hijacked' } }),
      patch: await api.patch(wrong, { data: { title: 'hijacked' } }),
      delete: await api.delete(wrong),
    };
    for (const [method, response] of Object.entries(responses)) {
      expect(response.status(), method).toBe(404);
      expect(await response.json(), method).toBe('Not found');
    }
    expect(await (await api.get(`${userPostsPath('1')}/1`)).json()).toEqual(posts[0]);
  });

  test('a missing user answers 404 to create, list and read, and nothing is created', async ({
    api,
  }) => {
    await seed(api);
    for (const userId of ['3', '0', 'abc']) {
      const created = await api.post(userPostsPath(userId), { data: { title: 'orphan' } });
      expect(created.status(), userId).toBe(404);
      expect(await created.json()).toBe('Not found');
      expect((await api.get(userPostsPath(userId))).status()).toBe(404);
      expect((await api.get(`${userPostsPath(userId)}/1`)).status()).toBe(404);
    }
    expect((await serverState(api)).resources['posts']).toEqual({
      records: 4,
      lastId: '4',
      duplicateEmails: 0,
    });
  });

  test('a body that is not a JSON object answers 400 and creates nothing', async ({ api }) => {
    await createUsers(api, [{ name: 'Ann' }]);
    for (const body of ['[]', '"x"', 'null', '{"title":']) {
      const response = await api.post(userPostsPath('1'), {
        data: body,
        headers: { 'content-type': 'application/json' },
      });
      expect(response.status(), body).toBe(400);
    }
    expect((await serverState(api)).resources['posts']?.records).toBe(0);
  });
});

test.describe('posts at the top level, as mockapi.io also serves children', () => {
  test('/posts lists every user’s posts and /posts/:id reads any of them', async ({ api }) => {
    const { posts } = await seed(api);
    expect(await (await api.get(postsPath)).json()).toEqual(posts);
    expect(await (await api.get(`${postsPath}/2`)).json()).toEqual(posts[1]);
    expect(idsOf(await (await api.get(postsPath, { params: { userId: '2' } })).json())).toEqual([
      '2',
    ]);
  });

  test('a post created at the top level keeps the userId it was sent, unchecked', async ({
    api,
  }) => {
    await createUsers(api, [{ name: 'Ann' }]);
    const mine = await createRecord(api, postsPath, { title: 'top', userId: '1' });
    const stray = await createRecord(api, postsPath, { title: 'no such user', userId: '42' });
    const numeric = await createRecord(api, postsPath, { title: 'a number', userId: 1 });
    expect(stray).toMatchObject({ userId: '42' });
    // Only a string equal to the URL's id puts a post under that user.
    expect(await (await api.get(userPostsPath('1'))).json()).toEqual([mine]);
    expect(idsOf(await (await api.get(postsPath)).json())).toEqual([mine.id, stray.id, numeric.id]);
  });

  test('a top-level PATCH of userId moves the post to another user', async ({ api }) => {
    await seed(api);
    const moved = await api.patch(`${postsPath}/1`, { data: { userId: '2' } });
    expect(await moved.json()).toMatchObject({ id: '1', userId: '2' });
    expect(idsOf(await (await api.get(userPostsPath('1'))).json())).toEqual(['3', '4']);
    expect(idsOf(await (await api.get(userPostsPath('2'))).json())).toEqual(['1', '2']);
    expect((await api.get(`${userPostsPath('2')}/1`)).status()).toBe(200);
    expect((await api.get(`${userPostsPath('1')}/1`)).status()).toBe(404);
  });

  test('deleting a user leaves its posts: gone from under the user, still at the top', async ({
    api,
  }) => {
    const { posts } = await seed(api);
    expect((await api.delete(`${usersPath}/1`)).status()).toBe(200);
    expect((await api.get(userPostsPath('1'))).status()).toBe(404);
    expect((await api.get(`${userPostsPath('1')}/1`)).status()).toBe(404);
    expect(await (await api.get(`${postsPath}/1`)).json()).toEqual(posts[0]);
    expect((await api.delete(`${postsPath}/1`)).status()).toBe(200);
    expect((await serverState(api)).resources['posts']?.records).toBe(3);
  });
});

test.describe('posts under a custom prefix', () => {
  test.use({ serverOptions: { prefix: '/v2' } });

  test('live under the prefix, with or without a trailing slash', async ({ api }) => {
    await createRecord(api, '/v2/users', { name: 'Ann' });
    const post = await createRecord(api, '/v2/users/1/posts/', { title: 'x' });
    expect((await api.get('/v2/users/1/posts/')).status()).toBe(200);
    expect(await (await api.get('/v2/users/1/posts/1/')).json()).toEqual(post);
    expect((await api.get(userPostsPath('1'))).status()).toBe(404);
  });
});

test.describe('posts with --idempotency honour', () => {
  test.use({ serverOptions: { idempotency: 'honour' } });

  test('a repeated key replays the post; the same key under another user is refused', async ({
    api,
  }) => {
    await createUsers(api, [{ name: 'Ann' }, { name: 'Bob' }]);
    const headers = { 'idempotency-key': 'post-once' };
    const first = await api.post(userPostsPath('1'), { headers, data: { title: 'x' } });
    const again = await api.post(userPostsPath('1'), { headers, data: { title: 'x' } });
    expect(first.status()).toBe(201);
    expect(again.headers()['idempotent-replayed']).toBe('true');
    expect(await again.json()).toEqual(await first.json());
    const elsewhere = await api.post(userPostsPath('2'), { headers, data: { title: 'x' } });
    expect(elsewhere.status()).toBe(422);
    expect((await serverState(api)).resources['posts']?.records).toBe(1);
  });
});
