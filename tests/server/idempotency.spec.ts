import { createUser, serverState, type ApiUser } from './api-helpers';
import { expect, test, usersPath } from './server-fixture';

test.describe('by default an Idempotency-Key is ignored, as on mockapi.io', () => {
  test('two POSTs with the same key create two users', async ({ api }) => {
    const headers = { 'idempotency-key': 'create-ann-1' };
    const first = await api.post(usersPath, { headers, data: { name: 'Ann' } });
    const second = await api.post(usersPath, { headers, data: { name: 'Ann' } });

    expect([first.status(), second.status()]).toEqual([201, 201]);
    expect(await first.json()).toMatchObject({ id: '1', name: 'Ann' });
    expect(await second.json()).toMatchObject({ id: '2', name: 'Ann' });
    expect(second.headers()['idempotent-replayed']).toBeUndefined();
    expect(await serverState(api)).toMatchObject({ users: 2, lastId: '2' });
  });

  test('the same key with a different body creates again, no 422', async ({ api }) => {
    const headers = { 'idempotency-key': 'reused' };
    expect((await api.post(usersPath, { headers, data: { name: 'Ann' } })).status()).toBe(201);
    const response = await api.post(usersPath, { headers, data: { name: 'Bob' } });
    expect(response.status()).toBe(201);
    expect(await response.json()).toMatchObject({ id: '2', name: 'Bob' });
  });

  test('a retry after a commit-then-500 creates a duplicate, key or not', async ({ api }) => {
    await api.put('/__control/scenarios/ambiguous', {
      data: { rules: [{ method: 'POST', fault: { kind: 'commit-then-status', status: 500 } }] },
    });
    const headers = { 'idempotency-key': 'retry-me', 'x-mock-scenario': 'ambiguous' };
    expect((await api.post(usersPath, { headers, data: { name: 'Ann' } })).status()).toBe(500);
    const retried = await api.post(usersPath, { headers, data: { name: 'Ann' } });
    expect(retried.status()).toBe(201);
    expect(await retried.json()).toMatchObject({ id: '2', name: 'Ann' });
    expect((await serverState(api)).users).toBe(2);
  });
});

test.describe('with --idempotency honour', () => {
  test.use({ serverOptions: { idempotency: 'honour' } });

  test('a repeated key returns the first response and creates nothing new', async ({ api }) => {
    const headers = { 'idempotency-key': 'create-ann-1' };
    const first = await api.post(usersPath, { headers, data: { name: 'Ann' } });
    const second = await api.post(usersPath, { headers, data: { name: 'Ann' } });

    expect(first.status()).toBe(201);
    expect(second.status()).toBe(201);
    expect(await second.json()).toEqual(await first.json());
    expect(second.headers()['idempotent-replayed']).toBe('true');
    expect(await serverState(api)).toMatchObject({ users: 1, lastId: '1' });
  });

  test('the payload is compared by content, not by key order', async ({ api }) => {
    const headers = { 'idempotency-key': 'k' };
    await api.post(usersPath, { headers, data: { name: 'Ann', age: 3 } });
    const again = await api.post(usersPath, {
      headers: { ...headers, 'content-type': 'application/json' },
      data: '{ "age": 3, "name": "Ann" }',
    });
    expect(again.status()).toBe(201);
    expect((await serverState(api)).users).toBe(1);
  });

  test('different keys create different users', async ({ api }) => {
    await api.post(usersPath, { headers: { 'idempotency-key': 'a' }, data: { name: 'Ann' } });
    await api.post(usersPath, { headers: { 'idempotency-key': 'b' }, data: { name: 'Ann' } });
    expect((await serverState(api)).users).toBe(2);
  });

  test('without a key, a repeated POST creates a duplicate', async ({ api }) => {
    await createUser(api, { name: 'Ann' });
    await createUser(api, { name: 'Ann' });
    expect((await serverState(api)).users).toBe(2);
  });

  test('the same key with a different body answers 422 and creates nothing', async ({ api }) => {
    const headers = { 'idempotency-key': 'reused' };
    await api.post(usersPath, { headers, data: { name: 'Ann' } });
    const response = await api.post(usersPath, { headers, data: { name: 'Bob' } });
    expect(response.status()).toBe(422);
    expect(((await response.json()) as { error: string }).error).toContain('reused');
    expect((await serverState(api)).users).toBe(1);
  });

  test('a key whose first request is still in flight answers 409', async ({ api, request }) => {
    await api.put('/__control/scenarios/slow', {
      // Long enough that the second request surely arrives while the first is held.
      data: { rules: [{ method: 'POST', fault: { kind: 'hang', ms: 4000, commit: true } }] },
    });
    const headers = { 'idempotency-key': 'in-flight' };
    // Held over a socket: the hang waits on the connection, which inject() does not have.
    const slow = request.post(usersPath, {
      headers: { ...headers, 'x-mock-scenario': 'slow' },
      data: { name: 'Ann' },
    });
    // The first request has committed but not yet answered.
    await expect.poll(async () => (await serverState(api)).users).toBe(1);

    const concurrent = await api.post(usersPath, { headers, data: { name: 'Ann' } });
    expect(concurrent.status()).toBe(409);

    const first = await slow;
    expect(first.status()).toBe(201);
    const after = await api.post(usersPath, { headers, data: { name: 'Ann' } });
    expect(after.status()).toBe(201);
    expect(await after.json()).toEqual(await first.json());
    expect((await serverState(api)).users).toBe(1);
  });

  test('after a commit-then-500, a retry with the key gets the committed 201', async ({ api }) => {
    await api.put('/__control/scenarios/ambiguous', {
      data: { rules: [{ method: 'POST', fault: { kind: 'commit-then-status', status: 500 } }] },
    });
    const headers = { 'idempotency-key': 'retry-me', 'x-mock-scenario': 'ambiguous' };
    const failed = await api.post(usersPath, { headers, data: { name: 'Ann' } });
    expect(failed.status()).toBe(500);

    const retried = await api.post(usersPath, { headers, data: { name: 'Ann' } });
    expect(retried.status()).toBe(201);
    const user = (await retried.json()) as ApiUser;
    expect(user).toMatchObject({ id: '1', name: 'Ann' });
    expect(await serverState(api)).toMatchObject({ users: 1, lastId: '1' });
  });

  test('a request refused before processing leaves the key free', async ({ api }) => {
    await api.put('/__control/scenarios/down-once', {
      data: { rules: [{ fault: { kind: 'status', status: 503 } }] },
    });
    const headers = { 'idempotency-key': 'free', 'x-mock-scenario': 'down-once' };
    expect((await api.post(usersPath, { headers, data: { n: 1 } })).status()).toBe(503);
    expect((await api.post(usersPath, { headers, data: { n: 1 } })).status()).toBe(201);
    expect((await serverState(api)).users).toBe(1);
  });

  test('a body refused with 400 does not use up the key', async ({ api }) => {
    const headers = { 'idempotency-key': 'fix-and-retry' };
    const bad = await api.post(usersPath, {
      headers: { ...headers, 'content-type': 'application/json' },
      data: '[]',
    });
    expect(bad.status()).toBe(400);
    expect((await api.post(usersPath, { headers, data: { n: 1 } })).status()).toBe(201);
  });
});

test.describe('an expired Idempotency-Key with --idempotency honour', () => {
  test.use({ serverOptions: { idempotency: 'honour', idempotencyTtlMs: 200 } });

  test('is forgotten after the window, so the POST creates again', async ({ api }) => {
    const headers = { 'idempotency-key': 'short-lived' };
    await api.post(usersPath, { headers, data: { name: 'Ann' } });
    await expect
      .poll(async () => {
        await api.post(usersPath, { headers, data: { name: 'Ann' } });
        return (await serverState(api)).users;
      })
      .toBe(2);
  });
});
