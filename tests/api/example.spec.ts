import { expect, test } from '../../lib/fixtures';

test(
  'a renamed user reads back renamed, then is gone',
  { tag: '@crud' },
  async ({ users, factory, cleanup }) => {
    const created = await users.create(factory.build()); // unique, marked with this run's id
    expect(cleanup.pending).toContain(`${users.path}/${created.id}`); // teardown deletes it

    const renamed = await users.patch(created.id, { name: 'New Name' });
    expect(renamed).toEqual({ ...created, name: 'New Name' });
    await users.waitUntilVisible(created.id, { name: 'New Name' }); // polls, never sleeps

    await users.delete(created.id);
    await users.waitUntilDeleted(created.id); // 404, trusted once the read-lag bound has passed
    expect(cleanup.pending).toEqual([]); // nothing left for teardown
  },
);
