import { expect, test } from '@playwright/test';

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
