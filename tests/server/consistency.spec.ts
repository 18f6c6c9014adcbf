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
