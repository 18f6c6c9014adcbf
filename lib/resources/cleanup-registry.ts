import type { AnyResourceApi } from './resource-api';

/**
 * Remembers every record a test created, so teardown deletes exactly those and nothing else:
 * children before their parents, then confirms each answers 404.
 */
export class CleanupRegistry {
  private readonly entries: { api: AnyResourceApi; id: string }[] = [];

  /** Registers a record (or its id) of `api` for deletion at teardown. */
  track(api: AnyResourceApi, record: { id: string } | string): void {
    const id = typeof record === 'string' ? record : record.id;
    if (!this.entries.some((e) => e.api.path === api.path && e.id === id))
      this.entries.push({ api, id });
  }

  /** Records still registered, as `<path>/<id>`. */
  get pending(): readonly string[] {
    return this.entries.map(({ api, id }) => `${api.path}/${id}`);
  }

  /**
   * Deletes every registered record (404 counts as already gone) and confirms each answers 404,
   * deepest paths first so no child outlives its parent. Tries every record even when some fail,
   * and reports all failures together.
   */
  async deleteAll(): Promise<void> {
    const failures: string[] = [];
    const depths = [...new Set(this.entries.map((e) => depth(e.api.path)))].sort((a, b) => b - a);
    for (const level of depths) {
      const batch = this.entries.filter((e) => depth(e.api.path) === level);
      const results = await Promise.allSettled(
        batch.map(async ({ api, id }) => {
          await api.deleteIfExists(id);
          await api.waitUntilDeleted(id);
        }),
      );
      results.forEach((result, index) => {
        const entry = batch[index];
        if (entry === undefined) return;
        if (result.status === 'rejected')
          failures.push(`${entry.api.path}/${entry.id}: ${String(result.reason)}`);
        else this.entries.splice(this.entries.indexOf(entry), 1);
      });
    }
    if (failures.length > 0)
      throw new Error(
        `cleanup could not delete ${failures.length} record(s):\n${failures.join('\n')}`,
      );
  }
}

const depth = (path: string) => path.split('/').length;
