import { expect, test } from '../../lib/fixtures';

/**
 * Replicated backends answer reads from a copy that lags writes. These checks poll with the
 * environment's bounded window instead of sleeping, so they cost no more than the lag itself.
 */
test.describe('eventual consistency', { tag: '@consistency' }, () => {
  test('a created user becomes readable (read-your-write)', async ({ users, factory }) => {
    const created = await users.create(factory.build());
    // The wait fails by itself when the user is not visible within the consistency window.
    const seen = await users.waitUntilVisible(created.id);
    expect(seen).toEqual(created);
  });

  test('a created user appears in filtered lists', async ({ users, factory }) => {
    const created = await users.create(factory.build());
    await expect
      .poll(async () => (await users.findByEmail(created.email ?? '')).map((u) => u.id), {
        message: 'the new user to be listed',
        ...users.pollOptions(),
      })
      .toEqual([created.id]);
  });

  test('an update becomes visible to filtered lists', async ({ users, factory }) => {
    const created = await users.create(factory.build());
    await users.waitUntilVisible(created.id);
    const renamed = `Eventually ${created.id}-${Date.now().toString(36)}`;
    await users.patch(created.id, { name: renamed });
    await expect
      .poll(async () => (await users.list({ filters: { name: renamed } })).map((u) => u.id), {
        message: 'the user to be listed under its new name',
        ...users.pollOptions(),
      })
      .toEqual([created.id]);
  });

  test('a deleted user answers 404 within the consistency window', async ({ users, factory }) => {
    const created = await users.create(factory.build());
    await users.waitUntilVisible(created.id);
    await users.delete(created.id);
    // Fails by itself unless a read answers 404 within the consistency window.
    await users.waitUntilDeleted(created.id);
  });

  test('a deleted user leaves filtered lists', async ({ users, factory }) => {
    const created = await users.create(factory.build());
    await expect
      .poll(async () => (await users.findByEmail(created.email ?? '')).length, users.pollOptions())
      .toBe(1);
    await users.delete(created.id);
    await expect
      .poll(async () => (await users.findByEmail(created.email ?? '')).length, {
        message: 'the deleted user to leave the list',
        ...users.pollOptions(),
      })
      .toBe(0);
  });
});
