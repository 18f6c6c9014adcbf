import { expect, test } from '../../lib/fixtures';

test.describe('concurrency', { tag: '@concurrency' }, () => {
  test('a burst of 20 concurrent creates yields 20 distinct, retrievable users', async ({
    users,
    factory,
  }) => {
    const payloads = factory.buildMany(20);
    const created = await Promise.all(payloads.map((payload) => users.create(payload)));
    const ids = created.map((u) => u.id);
    expect(new Set(ids).size, `distinct ids among ${ids.join(', ')}`).toBe(20);
    const read = await Promise.all(created.map((u) => users.waitUntilVisible(u.id)));
    expect(read.map((u) => u.email)).toEqual(payloads.map((p) => p.email));
    for (const payload of payloads) {
      expect(
        await users.findByEmail(payload.email),
        `exactly one user with ${payload.email}`,
      ).toHaveLength(1);
    }
  });

  test('concurrent updates to different users do not interfere', async ({ users, factory }) => {
    const created = await Promise.all(factory.buildMany(8).map((payload) => users.create(payload)));
    await Promise.all(created.map((u, i) => users.patch(u.id, { name: `Concurrent ${i}` })));
    for (const [i, user] of created.entries()) {
      await expect
        .poll(async () => await users.find(user.id), users.pollOptions())
        .toEqual({ ...user, name: `Concurrent ${i}` });
    }
  });

  test('concurrent deletes of different users each delete exactly one', async ({
    users,
    factory,
  }) => {
    const created = await Promise.all(factory.buildMany(6).map((payload) => users.create(payload)));
    const keep = created.slice(0, 3);
    const remove = created.slice(3);
    await Promise.all(remove.map((u) => users.delete(u.id)));
    await Promise.all(remove.map((u) => users.waitUntilDeleted(u.id)));
    for (const user of keep) expect(await users.waitUntilVisible(user.id)).toEqual(user);
  });
});
