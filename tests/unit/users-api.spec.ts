import { expect, test } from '@playwright/test';

import { ApiResponseError, ApiStatusError } from '../../lib/http/api-errors';
import type { Operation } from '../../lib/http/api-observer';
import { ConsistencyError } from '../../lib/resources/consistency';
import { compareIds } from '../../lib/resources/record-ids';
import { UsersApi } from '../../lib/users/users-api';
import {
  apiUser,
  type FakeAnswer,
  fakeClient,
  inOrder,
  type SentRequest,
} from './support/fake-request';

const NOT_FOUND = { status: 404, body: '"Not found"' };

function usersApi(
  handler: (req: SentRequest, index: number) => FakeAnswer,
  consistency = { timeoutMs: 5_000, intervalsMs: [5], readLagMs: 0 },
) {
  const { client, sent } = fakeClient(handler);
  return { users: new UsersApi({ client, consistency }), sent };
}

test.describe('UsersApi.list', () => {
  test('sends the query as parameters and returns the users', async () => {
    const marked = (id: string) => apiUser(id, { email: `u${id}+pwrun-x@example.com` });
    const { users, sent } = usersApi(inOrder({ status: 200, body: [marked('1'), marked('2')] }));
    const list = await users.list({
      page: 2,
      limit: 10,
      sortBy: 'name',
      order: 'desc',
      search: 'ann',
      filters: { email: 'pwrun-' },
    });
    expect(list.map((u) => u.id)).toEqual(['1', '2']);
    expect(sent[0]?.params).toEqual({
      page: '2',
      limit: '10',
      sortBy: 'name',
      order: 'desc',
      search: 'ann',
      email: 'pwrun-',
    });
  });

  test('mockapi.io\'s 404 "Not found" for an empty result is an empty list', async () => {
    const { users } = usersApi(inOrder(NOT_FOUND));
    expect(await users.list({ filters: { name: 'nobody' } })).toEqual([]);
  });

  test('a 404 with another body is a readable error, not an empty list', async () => {
    const { users } = usersApi(inOrder({ status: 404, body: { message: 'no such resource' } }));
    const error = await users.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiResponseError);
    const message = String(error);
    expect(message).toContain(
      'GET /users answered a body that does not match the "Not found" body',
    );
    expect(message).toContain('Body: {"message":"no such resource"}');
  });

  test('a 404 HTML page says the body is not JSON', async () => {
    const { users } = usersApi(inOrder({ status: 404, body: '<html><body>404</body></html>' }));
    await expect(users.list()).rejects.toThrow(
      /answered 404 with a body that is not JSON.*base URL/,
    );
  });

  test('a body that breaks the schema names the path, the expectation and an excerpt', async () => {
    const body = [apiUser('1'), { ...apiUser('2'), id: 2, createdAt: 'yesterday' }];
    const { users } = usersApi(inOrder({ status: 200, body }));
    const error = await users.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiResponseError);
    const message = String(error);
    expect(message).toContain('GET /users answered a body that does not match User[]:');
    expect(message).toContain('at $[1].id: Invalid input: expected string, received number');
    expect(message).toContain('at $[1].createdAt: Invalid ISO datetime');
    expect(message).toContain('Body: [{"id":"1","createdAt":"2026-01-02T03:04:05.000Z"');
  });

  test('a huge mismatching body is cut in the message', async () => {
    const body = Array.from({ length: 50 }, (_, i) => ({ ...apiUser(String(i)), id: i }));
    const { users } = usersApi(inOrder({ status: 200, body }));
    const message = String(await users.list().catch((e: unknown) => e));
    expect(message).toContain('… and 45 more');
    expect(message).toMatch(/… \(\d+ chars\)$/);
    expect(message.length).toBeLessThan(1_000);
  });

  test('an unexpected status names the call, the status and the expectation', async () => {
    const { users } = usersApi(inOrder({ status: 401, body: 'Unauthorized' }));
    const error = await users.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiStatusError);
    expect(String(error)).toContain('GET /users answered 401, expected 200. Body: Unauthorized');
  });
});

test.describe('UsersApi reads', () => {
  test('get parses the user and escapes the id in the path', async () => {
    const { users, sent } = usersApi(inOrder({ status: 200, body: apiUser('a/b') }));
    expect(await users.get('a/b')).toMatchObject({ id: 'a/b' });
    expect(sent[0]?.path).toBe('users/a%2Fb');
  });

  test('get of a missing user fails with the status, after retries if there were any', async () => {
    const { users } = usersApi(inOrder({ status: 503 }, NOT_FOUND));
    await expect(users.get('4')).rejects.toThrow(
      'GET /users/4 answered 404 after 2 attempts, expected 200. Body: "Not found"',
    );
  });

  test('get of a user without createdAt names the missing field', async () => {
    const { users } = usersApi(inOrder({ status: 200, body: { id: '4', name: 'Ann' } }));
    await expect(users.get('4')).rejects.toThrow(
      /GET \/users\/4 answered a body that does not match User:\n {2}at \$\.createdAt: /,
    );
  });

  test('find answers undefined for 404', async () => {
    const { users } = usersApi(inOrder(NOT_FOUND));
    expect(await users.find('4')).toBeUndefined();
  });

  test('findByEmail keeps only exact matches of the substring search', async () => {
    const email = 'ann@example.com';
    const { users, sent } = usersApi(
      inOrder({
        status: 200,
        body: [
          apiUser('1', { email: `joann@example.com` }),
          apiUser('2', { email }),
          apiUser('3', { email: 'ANN@example.com' }),
          apiUser('4', { email: 'ann@example.com.au' }),
        ],
      }),
    );
    expect((await users.findByEmail(email)).map((u) => u.id)).toEqual(['2']);
    expect(sent[0]?.params).toEqual({ email });
  });
});

test.describe('UsersApi.delete', () => {
  test('returns the deleted user', async () => {
    const { users, sent } = usersApi(inOrder({ status: 200, body: apiUser('8') }));
    expect(await users.delete('8')).toMatchObject({ id: '8' });
    expect(sent[0]).toMatchObject({ method: 'DELETE', path: 'users/8' });
  });

  test('a 404 after an ambiguous first attempt counts as done', async () => {
    const { users, sent } = usersApi(
      inOrder(new Error('apiRequestContext.fetch: Timeout 500ms exceeded.'), NOT_FOUND),
    );
    expect(await users.delete('8')).toBeUndefined();
    expect(sent).toHaveLength(2);
  });

  test('a 404 after an unambiguous failure (429) is an error: nothing was deleted', async () => {
    const { users } = usersApi(inOrder({ status: 429, body: 'slow down' }, NOT_FOUND));
    await expect(users.delete('8')).rejects.toThrow(ApiStatusError);
  });

  test('a 404 on the first attempt is an error: the user was never there', async () => {
    const { users } = usersApi(inOrder(NOT_FOUND));
    await expect(users.delete('8')).rejects.toThrow(ApiStatusError);
  });

  test('deleteIfExists tells whether it deleted the user', async () => {
    const gone = usersApi(inOrder(NOT_FOUND));
    expect(await gone.users.deleteIfExists('8')).toBe(false);
    const there = usersApi(inOrder({ status: 200, body: apiUser('8') }));
    expect(await there.users.deleteIfExists('8')).toBe(true);
  });
});

test.describe('UsersApi waits', () => {
  test('waitUntilVisible polls through 404s until the user reads back as expected', async () => {
    const { users, sent } = usersApi(
      inOrder(
        NOT_FOUND,
        { status: 200, body: apiUser('5', { name: 'Old' }) },
        {
          status: 200,
          body: apiUser('5', { name: 'New' }),
        },
      ),
    );
    expect(await users.waitUntilVisible('5', { name: 'New' })).toMatchObject({ name: 'New' });
    expect(sent).toHaveLength(3);
  });

  test('waitUntilDeleted fails within the consistency timeout when the user stays', async () => {
    const { users } = usersApi(inOrder({ status: 200, body: apiUser('5') }), {
      timeoutMs: 100,
      intervalsMs: [5],
      readLagMs: 0,
    });
    const failure = users.waitUntilDeleted('5');
    await expect(failure).rejects.toThrow(ConsistencyError);
    await expect(failure).rejects.toThrow(
      /^user 5 was still readable within the consistency window \(100 ms\) after its deletion: \d+ reads in \d+ ms; the last read answered \{"id":"5",/,
    );
  });

  test('waitUntilVisible names the fields it waited for and what the last read answered', async () => {
    const { users, sent } = usersApi(inOrder(NOT_FOUND, { status: 200, body: apiUser('5') }), {
      timeoutMs: 60,
      intervalsMs: [1, 5],
      readLagMs: 0,
    });
    const failure = users.waitUntilVisible('5', { name: 'New' });
    await expect(failure).rejects.toThrow(
      /^user 5 was not visible with \{"name":"New"\} within the consistency window \(60 ms\): \d+ reads in \d+ ms; the last read answered \{"id":"5",.*"name":"User 5"\}$/,
    );
    // However slow the machine, it kept reading until the window closed: a lower bound, not a race.
    const message = await failure.then(
      () => '',
      (error: unknown) => String(error),
    );
    const [, reads, took] = /(\d+) reads in (\d+) ms/.exec(message) ?? [];
    expect(Number(took), 'it read until the window closed').toBeGreaterThanOrEqual(60);
    expect(sent).toHaveLength(Number(reads));
    expect(sent.length, 'the 404, then the record').toBeGreaterThanOrEqual(2);
    const never = usersApi(inOrder(NOT_FOUND), { timeoutMs: 20, intervalsMs: [5], readLagMs: 0 });
    await expect(never.users.waitUntilVisible('5')).rejects.toThrow(
      /^user 5 was not visible within .*; the last read answered 404$/,
    );
  });

  test('a read that fails ends the wait at once with its own error', async () => {
    const { users, sent } = usersApi(inOrder(NOT_FOUND, { status: 400, body: '"bad"' }));
    await expect(users.waitUntilVisible('5')).rejects.toThrow(ApiStatusError);
    expect(sent).toHaveLength(2);
  });

  test('observers see a wait as one operation with its reads inside', async () => {
    const { client } = fakeClient(inOrder(NOT_FOUND, { status: 200, body: apiUser('5') }));
    const users = new UsersApi({
      client,
      consistency: { timeoutMs: 5_000, intervalsMs: [1], readLagMs: 0 },
    });
    const events: string[] = [];
    const describe = (op: Operation) =>
      op.kind === 'wait' ? `wait for ${op.what}` : `${op.method} /${op.path}`;
    client.observe({
      async around(operation, body) {
        events.push(`begin ${describe(operation)}`);
        try {
          return await body();
        } finally {
          events.push(`end ${describe(operation)}`);
        }
      },
      onCall: (call) => void events.push(`call ${call.method} /${call.path} → ${call.status}`),
    });
    await users.waitUntilVisible('5');
    expect(events).toEqual([
      'begin wait for user 5 to be visible',
      'begin GET /users/5',
      'call GET /users/5 → 404',
      'end GET /users/5',
      'begin GET /users/5',
      'call GET /users/5 → 200',
      'end GET /users/5',
      'end wait for user 5 to be visible',
    ]);
  });

  test('pollOptions reflect the consistency window', () => {
    const { users } = usersApi(inOrder(NOT_FOUND));
    expect(users.pollOptions()).toEqual({ timeout: 5_000, intervals: [5] });
  });
});

test.describe('UsersApi checks the whole response', () => {
  test('a read that answers another record than the one asked for fails with both ids', async () => {
    const { users } = usersApi(inOrder({ status: 200, body: apiUser('6') }));
    await expect(users.get('5')).rejects.toThrow(
      'GET /users/5 answered the record with id "6", expected id "5"',
    );
  });

  test('PUT, PATCH and DELETE must answer the record they were sent to', async () => {
    const { users } = usersApi(inOrder({ status: 200, body: apiUser('7') }));
    await expect(users.update('5', { name: 'x' })).rejects.toThrow('expected id "5"');
    await expect(users.patch('5', { name: 'x' })).rejects.toThrow('expected id "5"');
    await expect(users.delete('5')).rejects.toThrow('expected id "5"');
  });

  test('a JSON record served as HTML fails with the content type', async () => {
    const { users } = usersApi(
      inOrder({ status: 200, body: apiUser('5'), headers: { 'content-type': 'text/html' } }),
    );
    await expect(users.get('5')).rejects.toThrow(
      'GET /users/5 answered 200 with a JSON body under content-type text/html, expected application/json',
    );
  });

  test('a page longer than its limit fails; a bare limit may be ignored, as the contract allows', async () => {
    const { users } = usersApi(inOrder({ status: 200, body: [apiUser('1'), apiUser('2')] }));
    await expect(users.list({ page: 1, limit: 1 })).rejects.toThrow(
      'GET /users answered a list that ignores its query: 2 records for limit=1',
    );
    const bare = usersApi(inOrder({ status: 200, body: [apiUser('1'), apiUser('2')] }));
    expect(await bare.users.list({ limit: 1 })).toHaveLength(2);
  });

  test('a list with a record that does not match a filter fails; case does not matter', async () => {
    const ann = apiUser('1', { name: 'Ann Lee' });
    const bob = apiUser('2', { name: 'Bob Stone' });
    const { users } = usersApi(
      inOrder({ status: 200, body: [ann] }, { status: 200, body: [ann, bob] }),
    );
    expect(await users.list({ filters: { name: 'ann' } })).toHaveLength(1);
    await expect(users.list({ filters: { name: 'ann' } })).rejects.toThrow(
      'record 2 does not match name="ann"',
    );
  });
});

test('compareIds orders numeric ids by value and others as text', () => {
  expect(['10', '9', 'b', '100', 'a'].sort(compareIds)).toEqual(['9', '10', '100', 'a', 'b']);
});

test.describe('an auth refusal', () => {
  const REFUSED = { status: 401, body: { error: 'missing or wrong bearer token' } };

  test('fails every typed call naming the 401 and its body, never as a schema mismatch', async () => {
    const { users } = usersApi(inOrder(REFUSED));
    const calls: [string, () => Promise<unknown>][] = [
      ['POST /users', () => users.create({ name: 'A', email: 'a@example.com' })],
      ['GET /users/1', () => users.get('1')],
      ['GET /users/1', () => users.find('1')],
      ['GET /users', () => users.list()],
      ['PUT /users/1', () => users.update('1', { name: 'B' })],
      ['DELETE /users/1', () => users.delete('1')],
      ['DELETE /users/1', () => users.deleteIfExists('1')],
    ];
    for (const [call, send] of calls) {
      const error = await send().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, call).toBeInstanceOf(ApiStatusError);
      expect(String(error)).toContain(`${call} answered 401`);
      expect(String(error)).toContain('missing or wrong bearer token');
    }
  });
});
