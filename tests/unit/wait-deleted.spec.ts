import { expect, test } from '@playwright/test';

import { LocalReadLag, type ReadLag } from '../../lib/http/read-lag';
import { UsersApi } from '../../lib/users/users-api';
import { apiUser, fakeClient, type SentRequest } from './support/fake-request';

const NOT_FOUND = { status: 404, body: '"Not found"' };

function usersApi(handler: (req: SentRequest, index: number) => ReturnType<typeof answer>) {
  const { client, sent } = fakeClient(handler);
  const users = new UsersApi({
    client,
    consistency: { timeoutMs: 5_000, intervalsMs: [10], readLagMs: 150 },
  });
  return { users, sent };
}

const answer = (status: number, body: unknown) => ({ status, body });

test('on a lagging backend deletion is confirmed only by reads begun after the read-lag bound', async () => {
  // A record created moments ago: the replica has not seen it, then it appears, then the delete
  // reaches the replica too. An early 404 is "not visible yet", not "deleted".
  const reads: number[] = [];
  let deletedAt = 0;
  const { users } = usersApi((req) => {
    if (req.method === 'DELETE') {
      deletedAt = performance.now();
      return answer(200, apiUser('5'));
    }
    reads.push(performance.now());
    const age = performance.now() - deletedAt;
    return age < 40 || age >= 120 ? NOT_FOUND : answer(200, apiUser('5'));
  });
  await users.delete('5');
  await users.waitUntilDeleted('5');
  // No read is sent before the bound: it could not prove anything. A lower bound only: a busy
  // machine makes reads later, never earlier.
  expect(reads.length).toBeGreaterThan(0);
  expect((reads[0] ?? 0) - deletedAt).toBeGreaterThanOrEqual(150);
});

test('without read lag the first 404 is enough', async () => {
  const { client, sent } = fakeClient((req) =>
    req.method === 'DELETE' ? answer(200, apiUser('5')) : NOT_FOUND,
  );
  const users = new UsersApi({
    client,
    consistency: { timeoutMs: 5_000, intervalsMs: [10], readLagMs: 0 },
  });
  await users.delete('5');
  await users.waitUntilDeleted('5');
  expect(sent.map((r) => r.method)).toEqual(['DELETE', 'GET']);
});

/** A read lag that remembers what it was taught, over a local one. */
function taughtReadLag(ceilingMs: number, lags: number[] = []) {
  const local = new LocalReadLag({ ceilingMs });
  for (const lag of lags) local.observe(lag);
  const observed: number[] = [];
  const readLag: ReadLag = {
    bound: () => local.bound(),
    observe: (lagMs) => {
      observed.push(lagMs);
      local.observe(lagMs);
    },
    created: (key) => {
      local.created(key);
    },
    createdAt: (key) => local.createdAt(key),
    forget: (key) => {
      local.forget(key);
    },
  };
  return { readLag, observed };
}

test('a record it created counts as deleted at a 404 once the learned bound has passed since the create', async () => {
  // A ceiling no test could wait out: the wait ends only because the bound was learned (10 lags of
  // 0 ms: 100 ms, the floor), and it counts from the create, not the deletion.
  const { readLag } = taughtReadLag(60_000, Array<number>(10).fill(0));
  const reads: number[] = [];
  let createdAt = 0;
  const { client } = fakeClient((req) => {
    if (req.method === 'POST') {
      createdAt = performance.now();
      return answer(201, apiUser('5'));
    }
    if (req.method === 'DELETE') return answer(200, apiUser('5'));
    reads.push(performance.now());
    return NOT_FOUND;
  });
  const users = new UsersApi({
    client,
    consistency: { timeoutMs: 5_000, intervalsMs: [10], readLagMs: 60_000 },
    readLag,
  });
  const created = await users.create({
    name: 'Ann',
    email: 'ann@example.com',
    avatar: 'https://avatars.example.com/ann.png',
  });
  await users.delete(created.id);
  const started = performance.now();
  await users.waitUntilDeleted(created.id);
  expect(performance.now() - started).toBeLessThan(5_000);
  expect(reads).toHaveLength(1);
  expect((reads[0] ?? 0) - createdAt).toBeGreaterThanOrEqual(100);
});

test('what it reads teaches the bound: a create until its first 200, a delete until its 404', async () => {
  const { readLag, observed } = taughtReadLag(150);
  let gets = 0;
  const { client } = fakeClient((req) => {
    if (req.method === 'POST') return answer(201, apiUser('5'));
    if (req.method === 'DELETE') return answer(200, apiUser('5'));
    gets += 1;
    // Two reads miss the new record, three find it (the last after the delete), then 404.
    return gets <= 2 || gets >= 6 ? NOT_FOUND : answer(200, apiUser('5'));
  });
  const users = new UsersApi({
    client,
    consistency: { timeoutMs: 5_000, intervalsMs: [10], readLagMs: 150 },
    readLag,
  });
  await users.create({
    name: 'Ann',
    email: 'ann@example.com',
    avatar: 'https://avatars.example.com/ann.png',
  });
  await users.waitUntilVisible('5');
  expect(observed).toHaveLength(1);
  await users.get('5'); // a later read teaches nothing more
  expect(observed).toHaveLength(1);
  await users.delete('5');
  await users.waitUntilDeleted('5');
  expect(observed).toHaveLength(2);
  // Lower bounds: the create's lag spans the two missing reads, the delete's the bound.
  expect(observed[0]).toBeGreaterThanOrEqual(10);
  expect(observed[1]).toBeGreaterThan(0);
});
