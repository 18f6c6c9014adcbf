import { ApiStatusError } from '../../lib/http/api-errors';
import { expect, test } from '../support/fault-scenario';

/**
 * The embedded server fails on cue for this test's requests only, so these run on `local` alone.
 * Each proves one promise of the client: what it retries, how long it waits, and that a create is
 * never duplicated.
 */
test.describe('resilience', { tag: '@resilience' }, () => {
  const retriesOf = () => test.info().annotations.filter((a) => a.type === 'api-retry');

  test('a read recovers from a burst of 503s', async ({ users, factory, faults }) => {
    const created = await users.create(factory.build());
    await faults.script([{ method: 'GET', times: 3, fault: { kind: 'status', status: 503 } }]);
    expect(await users.get(created.id)).toEqual(created);
    const stats = await faults.stats();
    expect(stats.rules[0]?.hits).toBe(3);
    expect(stats.requestsByMethod.GET, 'three failures and one success').toBe(4);
    expect(retriesOf()).toHaveLength(3);
  });

  test('a 429 is retried no sooner than its Retry-After', async ({ users, factory, faults }) => {
    const created = await users.create(factory.build());
    await faults.script([
      { method: 'GET', fault: { kind: 'status', status: 429, retryAfter: '1' } },
    ]);
    const started = Date.now();
    expect(await users.get(created.id)).toEqual(created);
    expect(Date.now() - started, 'waited for Retry-After: 1').toBeGreaterThanOrEqual(1000);
    expect(retriesOf()[0]?.description).toContain('status 429');
  });

  test('a request that hangs past the timeout is retried', async ({
    users,
    factory,
    faults,
    environment,
  }) => {
    const created = await users.create(factory.build());
    await faults.script([
      { method: 'GET', fault: { kind: 'hang', ms: environment.timeoutMs + 1000 } },
    ]);
    const started = Date.now();
    expect(await users.get(created.id)).toEqual(created);
    expect(Date.now() - started).toBeGreaterThanOrEqual(environment.timeoutMs);
    expect(retriesOf()[0]?.description).toContain('timed out');
  });

  test('a connection reset is retried', async ({ users, factory, faults }) => {
    const created = await users.create(factory.build());
    await faults.script([{ method: 'GET', times: 2, fault: { kind: 'reset' } }]);
    expect(await users.get(created.id)).toEqual(created);
    expect(retriesOf()).toHaveLength(2);
  });

  test('a create committed but answered 500 leaves exactly one user', async ({
    users,
    factory,
    faults,
  }) => {
    await faults.script([{ method: 'POST', fault: { kind: 'commit-then-status', status: 500 } }]);
    const payload = factory.build();
    const created = await users.create(payload);
    expect(created).toMatchObject(payload);
    expect(await users.findByEmail(payload.email)).toEqual([created]);
    expect((await faults.stats()).requestsByMethod.POST, 'the create was not sent again').toBe(1);
    expect(test.info().annotations.map((a) => a.type)).toContain('api-reconciled');
  });

  test('a create that times out after committing leaves exactly one user', async ({
    users,
    factory,
    faults,
    environment,
  }) => {
    await faults.script([
      { method: 'POST', fault: { kind: 'hang', ms: environment.timeoutMs + 1000, commit: true } },
    ]);
    const payload = factory.build();
    const created = await users.create(payload);
    expect(await users.findByEmail(payload.email)).toEqual([created]);
  });

  test('a create that failed before committing is sent again and creates one user', async ({
    users,
    factory,
    faults,
  }) => {
    await faults.script([{ method: 'POST', times: 2, fault: { kind: 'status', status: 503 } }]);
    const payload = factory.build();
    const created = await users.create(payload);
    expect(await users.findByEmail(payload.email)).toEqual([created]);
    expect((await faults.stats()).requestsByMethod.POST).toBe(3);
  });

  test('a delete committed but answered 500 counts as done', async ({ users, factory, faults }) => {
    const created = await users.create(factory.build());
    await faults.script([{ method: 'DELETE', fault: { kind: 'commit-then-status', status: 500 } }]);
    expect(await users.delete(created.id)).toBeUndefined();
    await users.waitUntilDeleted(created.id);
  });

  test('an update answered 500 after committing is retried to the same result', async ({
    users,
    factory,
    faults,
  }) => {
    const created = await users.create(factory.build());
    await faults.script([{ method: 'PUT', fault: { kind: 'commit-then-status', status: 500 } }]);
    expect(await users.update(created.id, { name: 'Retried Put' })).toEqual({
      ...created,
      name: 'Retried Put',
    });
    expect(await users.get(created.id)).toEqual({ ...created, name: 'Retried Put' });
  });

  test('a client error is not retried', async ({ users, factory, faults }) => {
    const created = await users.create(factory.build());
    await faults.script([{ method: 'GET', fault: { kind: 'status', status: 400 } }]);
    await expect(users.get(created.id)).rejects.toThrow(ApiStatusError);
    expect((await faults.stats()).requestsByMethod.GET).toBe(1);
    expect(retriesOf()).toHaveLength(0);
  });

  test('a server that stays down fails clearly within the retry budget', async ({
    users,
    factory,
    faults,
    environment,
  }) => {
    // The API answers this client while it is up: the failure below is the outage, not a refusal
    // (the scripted 503s come before the token check, so a wrong token would fail nothing there).
    const created = await users.create(factory.build());
    await faults.script([{ times: 1000, fault: { kind: 'status', status: 503 } }]);
    const error = await users.get(created.id).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ApiStatusError);
    expect(error instanceof ApiStatusError ? error.status : undefined, String(error)).toBe(503);
    expect(String(error)).toContain(`answered 503 after ${environment.retry.attempts} attempts`);
    expect((await faults.stats()).requestsByMethod.GET).toBe(environment.retry.attempts);
    await faults.script([]); // back up, for the cleanup's delete
  });
});
