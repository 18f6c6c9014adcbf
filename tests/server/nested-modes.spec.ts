import {
  createRecord,
  createUsers,
  defineScenario,
  idsOf,
  serverState,
  type ApiRecord,
} from './api-helpers';
import type { HttpClient } from './inject-client';
import { expect, postsPath, test, userPostsPath, usersPath } from './server-fixture';

/** Ann (1) with posts 1 and 3, Bob (2) with post 2. */
async function seed(api: HttpClient): Promise<ApiRecord[]> {
  await createUsers(api, [{ name: 'Ann' }, { name: 'Bob' }]);
  return [
    await createRecord(api, userPostsPath('1'), { title: 'one' }),
    await createRecord(api, userPostsPath('2'), { title: 'two' }),
    await createRecord(api, userPostsPath('1'), { title: 'three' }),
  ];
}

test.describe('scripted faults on nested paths', () => {
  test('a rule for one user’s posts fails only requests to that path', async ({ api }) => {
    await seed(api);
    await defineScenario(api, 's', [
      { method: 'POST', path: '/users/1/posts', times: 5, fault: { kind: 'status', status: 503 } },
    ]);
    const headers = { 'x-mock-scenario': 's' };
    const refused = await api.post(userPostsPath('1'), { headers, data: { title: 'x' } });
    expect(refused.status()).toBe(503);
    expect((await api.post(userPostsPath('2'), { headers, data: { title: 'y' } })).status()).toBe(
      201,
    );
    expect((await api.get(userPostsPath('1'), { headers })).status()).toBe(200);
    expect((await api.post(usersPath, { headers, data: { name: 'Cy' } })).status()).toBe(201);
    expect((await serverState(api)).resources['posts']?.lastId).toBe('4');
  });

  test('a path is a substring: "/posts" matches posts at the top and under any user', async ({
    api,
  }) => {
    await seed(api);
    await defineScenario(api, 's', [
      { path: '/posts', times: 10, fault: { kind: 'status', status: 502 } },
    ]);
    const headers = { 'x-mock-scenario': 's' };
    for (const path of [
      postsPath,
      `${postsPath}/1`,
      userPostsPath('1'),
      `${userPostsPath('2')}/2`,
    ]) {
      expect((await api.get(path, { headers })).status(), path).toBe(502);
    }
    expect((await api.get(usersPath, { headers })).status()).toBe(200);
  });

  test('commit-then-status on a nested POST stores the post, then answers the status', async ({
    api,
  }) => {
    await seed(api);
    await defineScenario(api, 's', [
      { method: 'POST', path: '/posts', fault: { kind: 'commit-then-status', status: 500 } },
    ]);
    const response = await api.post(userPostsPath('2'), {
      headers: { 'x-mock-scenario': 's' },
      data: { title: 'ambiguous' },
    });
    expect(response.status()).toBe(500);
    expect(await (await api.get(`${userPostsPath('2')}/4`)).json()).toMatchObject({
      title: 'ambiguous',
      userId: '2',
    });
  });
});

test.describe('defect get-wrong-record on posts', () => {
  test.use({ serverOptions: { defects: ['get-wrong-record'] } });

  test('a post read under its user is a sibling, and at the top another post', async ({ api }) => {
    const posts = await seed(api);
    const underAnn = await api.get(`${userPostsPath('1')}/3`);
    expect(underAnn.status()).toBe(200);
    // The wrong post still belongs to the right user: only the id gives it away.
    expect(await underAnn.json()).toEqual(posts[0]);
    expect(await (await api.get(`${postsPath}/3`)).json()).toEqual(posts[1]);
    // Bob's only post has no sibling to be mistaken for.
    expect(await (await api.get(`${userPostsPath('2')}/2`)).json()).toEqual(posts[1]);
    expect(await (await api.get(userPostsPath('1'))).json()).toEqual([posts[0], posts[2]]);
  });
});

test.describe('other defects on posts', () => {
  test.use({
    serverOptions: {
      defects: ['create-status-200', 'numeric-ids', 'delete-not-persisted', 'missing-id-200'],
    },
  });

  test('each applies to a child resource as to users', async ({ api }) => {
    await api.post(usersPath, { data: { name: 'Ann' } });
    const created = await api.post(userPostsPath('1'), { data: { title: 'x' } });
    expect(created.status()).toBe(200);
    expect(await created.json()).toMatchObject({ id: 1, userId: '1' });
    expect((await api.delete(`${userPostsPath('1')}/1`)).status()).toBe(200);
    expect((await api.get(`${userPostsPath('1')}/1`)).status()).toBe(200);
    const missing = await api.get(`${userPostsPath('1')}/99`);
    expect(missing.status()).toBe(200);
    expect(await missing.json()).toEqual({});
  });
});

test.describe('always-down and a token on posts', () => {
  test.use({ serverOptions: { defects: ['always-down'], token: 't' } });

  test('nested paths are down like every other', async ({ api }) => {
    const headers = { authorization: 'Bearer t' };
    expect((await api.get(userPostsPath('1'), { headers })).status()).toBe(503);
    expect((await api.post(postsPath, { headers, data: {} })).status()).toBe(503);
  });
});

test.describe('a token on posts', () => {
  test.use({ serverOptions: { token: 't' } });

  test('nested paths need it too', async ({ api }) => {
    expect((await api.get(userPostsPath('1'))).status()).toBe(401);
    expect((await api.post(userPostsPath('1'), { data: { title: 'x' } })).status()).toBe(401);
    expect((await api.get(postsPath, { headers: { authorization: 'Bearer t' } })).status()).toBe(
      200,
    );
  });
});

test.describe('random faults on posts', () => {
  test.describe('503 before processing', () => {
    test.use({ serverOptions: { fault503Rate: 1 } });

    test('a nested POST answered 503 creates nothing', async ({ api }) => {
      expect((await api.post(userPostsPath('1'), { data: { title: 'x' } })).status()).toBe(503);
      expect((await serverState(api)).resources['posts']?.records).toBe(0);
    });
  });

  test.describe('commit then 500', () => {
    test.use({ serverOptions: { faultCommit500Rate: 1 } });

    test('a nested POST answered 500 has still created the post', async ({ api }) => {
      expect((await api.post(usersPath, { data: { name: 'Ann' } })).status()).toBe(500);
      expect((await api.post(userPostsPath('1'), { data: { title: 'x' } })).status()).toBe(500);
      expect(await (await api.get(`${userPostsPath('1')}/1`)).json()).toMatchObject({
        title: 'x',
      });
    });
  });
});

test.describe('one rate limit for the whole server', () => {
  // One request's worth of bucket, refilled every two seconds.
  test.use({ serverOptions: { rateLimitRps: 0.5 } });

  test('a request to posts draws from the bucket that users emptied', async ({ api }) => {
    const statuses = [
      (await api.get(usersPath)).status(),
      (await api.get(postsPath)).status(),
      (await api.get(userPostsPath('1'))).status(),
    ];
    expect(statuses).toEqual([200, 429, 429]);
    expect((await serverState(api)).throttled).toBe(2);
  });
});

test.describe('posts with --read-lag-ms', () => {
  // As in consistency.spec.ts: long enough that "not yet visible" survives a stall.
  test.use({ serverOptions: { readLagMs: 2000 } });

  test('a new post shows under its user and at the top only after the lag', async ({ api }) => {
    await createUsers(api, [{ name: 'Ann' }]);
    await expect.poll(async () => (await api.get(userPostsPath('1'))).status()).toBe(200);
    // Writes look the user up on the primary, so the create succeeds at once.
    const post = await createRecord(api, userPostsPath('1'), { title: 'x' });
    expect(await (await api.get(userPostsPath('1'))).json()).toEqual([]);
    expect((await api.get(`${postsPath}/${post.id}`)).status()).toBe(404);
    await expect
      .poll(async () => idsOf(await (await api.get(userPostsPath('1'))).json()))
      .toEqual([post.id]);
    expect(await (await api.get(`${postsPath}/${post.id}`)).json()).toEqual(post);
  });

  test('the posts of a user not yet visible answer 404, though it can be written to', async ({
    api,
  }) => {
    const [user] = await createUsers(api, [{ name: 'Ann' }]);
    const path = userPostsPath(user?.id ?? '');
    expect((await api.get(path)).status()).toBe(404);
    expect((await api.post(path, { data: { title: 'early' } })).status()).toBe(201);
    await expect.poll(async () => (await api.get(path)).status()).toBe(200);
  });

  test('a deleted post stays readable under its user for a while', async ({ api }) => {
    await createUsers(api, [{ name: 'Ann' }]);
    const post = await createRecord(api, userPostsPath('1'), { title: 'x' });
    const item = `${userPostsPath('1')}/${post.id}`;
    await expect.poll(async () => (await api.get(item)).status()).toBe(200);
    expect((await api.delete(item)).status()).toBe(200);
    expect((await api.get(item)).status()).toBe(200);
    await expect.poll(async () => (await api.get(item)).status()).toBe(404);
  });
});
