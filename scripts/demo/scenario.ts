import type { CallRecord } from '../../lib/http/api-observer';
import type { UserFactory } from '../../lib/users/user-factory';
import type { User } from '../../lib/users/user-schema';
import type { UsersApi } from '../../lib/users/users-api';
import type { StepRunner } from './step-runner';

/**
 * The original client's main.py, done right: create users, read each back, rename one, delete
 * them all and confirm every deletion. Waits poll for what they expect instead of sleeping, and
 * only the users created here are ever touched.
 */
export async function runScenario(options: {
  users: UsersApi;
  factory: UserFactory;
  steps: StepRunner;
  count: number;
  /** Called once a created user has been confirmed gone, so the clean-up can forget it. */
  onGone: (id: string) => void;
}): Promise<void> {
  const { users, factory, steps, count, onGone } = options;

  const created: User[] = [];
  for (const [index, payload] of factory.buildMany(count).entries()) {
    const user = await steps.run(
      { verb: 'create', subject: `user ${index + 1}/${count}` },
      () => users.create(payload),
      (made) => `id ${made.id}  ${made.name ?? ''} <${made.email ?? ''}>`,
    );
    created.push(user);
  }

  for (const user of created) {
    await steps.run(
      { verb: 'read', subject: `user ${user.id}`, interruptible: true },
      () => users.waitUntilVisible(user.id, { name: user.name, email: user.email }),
      (_, calls) => `visible ${afterReads(calls)}`,
    );
  }

  const [first] = created;
  if (first !== undefined) {
    const name = `${first.name ?? 'user'} (renamed)`;
    await steps.run(
      { verb: 'rename', subject: `user ${first.id}` },
      () => users.patch(first.id, { name }),
      () => `"${first.name ?? ''}" → "${name}"`,
    );
    await steps.run(
      { verb: 'verify', subject: `user ${first.id}`, interruptible: true },
      () => users.waitUntilVisible(first.id, { name }),
      (_, calls) => `new name visible ${afterReads(calls)}`,
    );
  }

  for (const { id } of created) {
    await steps.run({ verb: 'delete', subject: `user ${id}` }, () => users.delete(id));
  }
  for (const { id } of created) {
    await steps.run(
      { verb: 'confirm', subject: `user ${id}`, interruptible: true },
      () => users.waitUntilDeleted(id),
      (_, calls) => `answers 404 ${afterReads(calls)}`,
    );
    onGone(id);
  }
}

function afterReads(calls: readonly CallRecord[]): string {
  return calls.length === 1 ? 'on the first read' : `after ${calls.length} reads`;
}
