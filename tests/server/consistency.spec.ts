import { createUser, serverState } from './api-helpers';
import { expect, test, usersPath } from './server-fixture';

test.describe('reads lag writes by --read-lag-ms', () => {
  // "Not yet visible" holds only while the lag lasts; 2 s covers a stall between two requests on
  // a busy machine, and the polls that wait it out end as soon as the change is visible.
  test.use({ serverOptions: { readLagMs: 2000 } });

  test('a created user is not visible at once, then becomes visible', async ({ api }) => {
    const user = await createUser(api, { name: 'Ann' });
    await test.step('not yet visible right after the create', async () => {
      expect((await api.get(`${usersPath}/${user.id}`)).status()).toBe(404);
      expect(await (await api.get(usersPath)).json()).toEqual([]);
    });
    await test.step('visible once the lag has passed', async () => {
      await expect.poll(async () => (await api.get(`${usersPath}/${user.id}`)).status()).toBe(200);
      expect(await (await api.get(usersPath)).json()).toEqual([user]);
    });
  });

  test('a deleted user stays visible for a while, then answers 404', async ({ api }) => {
    const user = await createUser(api, { name: 'Ann' });
    await expect.poll(async () => (await api.get(`${usersPath}/${user.id}`)).status()).toBe(200);

    expect((await api.delete(`${usersPath}/${user.id}`)).status()).toBe(200);
    expect((await api.get(`${usersPath}/${user.id}`)).status()).toBe(200);
    await expect.poll(async () => (await api.get(`${usersPath}/${user.id}`)).status()).toBe(404);
  });

  test('an update shows the old value first, then the new one', async ({ api }) => {
    const user = await createUser(api, { name: 'Ann' });
    await expect.poll(async () => (await api.get(`${usersPath}/${user.id}`)).status()).toBe(200);

    const updated = await api.patch(`${usersPath}/${user.id}`, { data: { name: 'Bo' } });
    expect(await updated.json()).toMatchObject({ name: 'Bo' });
    expect(await (await api.get(`${usersPath}/${user.id}`)).json()).toMatchObject({
      name: 'Ann',
    });
    await expect
      .poll(
        async () =>
          ((await (await api.get(`${usersPath}/${user.id}`)).json()) as { name: string }).name,
      )
      .toBe('Bo');
  });

  test('writes act on the primary, so a just-created user can be deleted', async ({ api }) => {
    const user = await createUser(api, { name: 'Ann' });
    expect((await serverState(api)).users).toBe(1);
    expect((await api.patch(`${usersPath}/${user.id}`, { data: { a: 1 } })).status()).toBe(200);
    expect((await api.delete(`${usersPath}/${user.id}`)).status()).toBe(200);
    expect((await serverState(api)).users).toBe(0);
    // The create and the delete reach the replica in order: it ends up empty.
    await expect.poll(async () => (await api.get(`${usersPath}/${user.id}`)).status()).toBe(404);
  });
});

test.describe('without read lag', () => {
  test('a write is visible to the very next read', async ({ api }) => {
    const user = await createUser(api, { name: 'Ann' });
    expect((await api.get(`${usersPath}/${user.id}`)).status()).toBe(200);
    await api.delete(`${usersPath}/${user.id}`);
    expect((await api.get(`${usersPath}/${user.id}`)).status()).toBe(404);
  });
});

test.describe('read lag that varies: --read-lag-tail-*, --read-lag-jitter-ms, --read-replicas', () => {
  test.describe('a slow tail', () => {
    // Every write is in the tail here, so the test need not hunt for one.
    test.use({ serverOptions: { readLagTailRate: 1, readLagTailMs: 400 } });

    test('a write in the tail stays invisible for the tail lag', async ({ api }) => {
      const user = await createUser(api, { name: 'Ann' });
      const created = performance.now();
      expect((await api.get(`${usersPath}/${user.id}`)).status()).toBe(404);
      await expect.poll(async () => (await api.get(`${usersPath}/${user.id}`)).status()).toBe(200);
      // A lower bound only: a busy machine makes the poll later, never earlier.
      expect(performance.now() - created).toBeGreaterThanOrEqual(380);
    });
  });

  test.describe('several replicas with jitter', () => {
    test.use({ serverOptions: { readReplicas: 4, readLagJitterMs: 1500, seed: 7 } });

    test('reads are not monotonic: a record seen once may answer 404 again', async ({ api }) => {
      const user = await createUser(api, { name: 'Ann' });
      const statuses: number[] = [];
      // Until some replica has the record and another one not yet, read after read.
      await expect
        .poll(
          async () => {
            statuses.push((await api.get(`${usersPath}/${user.id}`)).status());
            return statuses.join(',');
          },
          { intervals: [5], timeout: 5_000 },
        )
        .toMatch(/200.*404/);
      // And in the end every replica has it: ten reads in a row find it.
      const tenReads = async () =>
        Promise.all(
          Array.from({ length: 10 }, async () =>
            (await api.get(`${usersPath}/${user.id}`)).status(),
          ),
        );
      await expect.poll(tenReads, { timeout: 5_000 }).toEqual(Array(10).fill(200));
    });
  });
});
