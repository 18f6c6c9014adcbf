import type { User } from './user-schema';
import type { UsersApi } from './users-api';

/** Remembers every user a test created, so teardown deletes exactly those and nothing else. */
export class CleanupRegistry {
  private readonly ids = new Set<string>();

  /** Registers a user (or id) for deletion at teardown. */
  track(user: User | string): void {
    this.ids.add(typeof user === 'string' ? user : user.id);
  }

  /** Ids still registered. */
  get pending(): readonly string[] {
    return [...this.ids];
  }

  /**
   * Deletes every registered user (404 counts as already gone), then confirms each answers 404.
   * Tries every user even when some fail, and reports all failures together.
   */
  async deleteAll(users: UsersApi): Promise<void> {
    const ids = [...this.ids];
    const results = await Promise.allSettled(
      ids.map(async (id) => {
        await users.deleteIfExists(id);
        await users.waitUntilDeleted(id);
        this.ids.delete(id);
      }),
    );
    const failures = results.flatMap((r, i) =>
      r.status === 'rejected' ? [`user ${ids[i] ?? '?'}: ${String(r.reason)}`] : [],
    );
    if (failures.length > 0)
      throw new Error(
        `cleanup could not delete ${failures.length} user(s):\n${failures.join('\n')}`,
      );
  }
}

/** Deletes users whose email carries `marker` (this run's test data that escaped cleanup); returns their ids. */
export async function sweepMarkedUsers(users: UsersApi, marker: string): Promise<string[]> {
  const found: User[] = [];
  const limit = 100;
  for (let page = 1; ; page += 1) {
    const batch = await users.list({ filters: { email: marker }, page, limit });
    found.push(...batch);
    if (batch.length < limit) break;
  }
  // The API filters by substring and case-insensitively: re-check so nothing else is ever touched.
  const ours = found.filter(
    (user) => typeof user.email === 'string' && user.email.includes(marker),
  );
  const deleted: string[] = [];
  for (const user of ours) {
    if (await users.deleteIfExists(user.id)) deleted.push(user.id);
  }
  return deleted;
}
