import { expect, test } from '@playwright/test';

import { CleanupRegistry } from '../../lib/resources/cleanup-registry';
import { UsersApi } from '../../lib/users/users-api';
import { apiUser, type FakeAnswer, fakeClient, type SentRequest } from './support/fake-request';

const NOT_FOUND = { status: 404, body: '"Not found"' };

/**
 * A users API over a fake backend holding users 1 and 2, wired to a registry as the fixtures wire
 * it; `answer` may answer a request in its stead. `sent()` lists the requests since the last
 * call, as `METHOD path`.
 */
function session(
  answer: (req: SentRequest, live: Set<string>) => FakeAnswer | undefined = () => undefined,
) {
  const live = new Set(['1', '2']);
  const { client, sent } = fakeClient((req) => {
    const override = answer(req, live);
    if (override !== undefined) return override;
    const id = req.path.split('/')[1] ?? '';
    if (req.method === 'GET') return live.has(id) ? { status: 200, body: apiUser(id) } : NOT_FOUND;
    if (req.method === 'DELETE')
      return live.delete(id) ? { status: 200, body: apiUser(id) } : NOT_FOUND;
    return { status: 405 };
  });
  const cleanup = new CleanupRegistry();
  const users = new UsersApi({
    client,
    consistency: { timeoutMs: 1_000, intervalsMs: [5], readLagMs: 0 },
    onCreated: (api, id) => {
      cleanup.track(api, id);
    },
    onDeleted: (api, id) => {
      cleanup.confirmDeleted(api, id);
    },
  });
  let seen = 0;
  const since = () => {
    const calls = sent.slice(seen).map((r) => `${r.method} ${r.path}`);
    seen = sent.length;
    return calls;
  };
  return { users, cleanup, sent: since };
}

test.describe('cleanup after a test that deleted its own records', () => {
  test('a record the test deleted (200) is not deleted again, nor read', async () => {
    const { users, cleanup, sent } = session();
    cleanup.track(users, '1');
    cleanup.track(users, '2');
    await users.delete('1');
    sent();
    expect(cleanup.pending).toEqual(['users/2']);
    await cleanup.deleteAll();
    expect(sent()).toEqual(['DELETE users/2', 'GET users/2']);
  });

  test('a record whose deletion a wait confirmed is skipped, however it was deleted', async () => {
    const { users, cleanup, sent } = session();
    cleanup.track(users, '1');
    // Deleted behind the API's back (a raw call): only the wait's trusted 404 proves it.
    await users.raw({ method: 'DELETE', path: '1' });
    expect(cleanup.pending, 'a raw DELETE is no proof to the registry').toEqual(['users/1']);
    await users.waitUntilDeleted('1');
    sent();
    expect(cleanup.pending).toEqual([]);
    await cleanup.deleteAll();
    expect(sent()).toEqual([]);
  });

  test('a read that answers 404 proves nothing: the record is still deleted and confirmed', async () => {
    // A lagging backend: the record exists but its first read does not see it yet.
    let reads = 0;
    const { users, cleanup, sent } = session((req) =>
      req.method === 'GET' && (reads += 1) === 1 ? NOT_FOUND : undefined,
    );
    cleanup.track(users, '1');
    expect(await users.find('1')).toBeUndefined();
    sent();
    await cleanup.deleteAll();
    expect(sent()).toEqual(['DELETE users/1', 'GET users/1']);
  });

  test('a DELETE answered 404 after an ambiguous failure is no proof: cleanup still confirms it', async () => {
    let deletes = 0;
    // The first DELETE deletes, then answers 500; the retry answers 404.
    const { users, cleanup, sent } = session((req, live) => {
      if (req.method !== 'DELETE' || (deletes += 1) > 1) return undefined;
      live.delete('1');
      return { status: 500 };
    });
    cleanup.track(users, '1');
    expect(await users.delete('1'), 'counted as done').toBeUndefined();
    expect(sent()).toEqual(['DELETE users/1', 'DELETE users/1']);
    expect(cleanup.pending).toEqual(['users/1']);
    await cleanup.deleteAll();
    expect(sent()).toEqual(['DELETE users/1', 'GET users/1']);
  });
});
