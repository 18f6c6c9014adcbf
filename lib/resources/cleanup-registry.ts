import type { AnyResourceApi } from './resource-api';

/**
 * Remembers every record a test created, so teardown deletes exactly those and nothing else:
 * children before their parents, then confirms each answers 404. A record whose deletion the test
 * already confirmed is left alone: deleting it again is a wasted request on a rate-limited API.
 */
export class CleanupRegistry {
  private readonly entries: { api: AnyResourceApi; id: string }[] = [];
  /** `<path>/<id>` of every entry: a long model run tracks thousands, so no search of the list. */
  private readonly tracked = new Set<string>();
  /** `<path>/<id>` of records known to be gone (see {@link confirmDeleted}). */
  private readonly gone = new Set<string>();

  /**
   * @param housekeeping the API that deletes a record `api` made: the same resource through a
   *   session without contract checks (lib/session), since deleting what a test made must not stop at
   *   an answer that breaks the contract; the test itself has already failed on it, or will.
   */
  constructor(
    private readonly housekeeping: (api: AnyResourceApi) => AnyResourceApi = (api) => api,
  ) {}

  /** Registers a record (or its id) of `api` for deletion at teardown. */
  track(api: AnyResourceApi, record: { id: string } | string): void {
    const id = typeof record === 'string' ? record : record.id;
    const key = keyOf(api, id);
    if (this.tracked.has(key)) return;
    this.tracked.add(key);
    this.entries.push({ api, id });
  }

  /**
   * Notes that a record is gone, on proof only (`ResourceApiOptions.onDeleted`: a DELETE answered
   * 200, or a wait that saw it answer 404 past the read-lag bound): teardown skips it.
   */
  confirmDeleted(api: AnyResourceApi, id: string): void {
    this.gone.add(keyOf(api, id));
  }

  /** Records still to delete, as `<path>/<id>`. */
  get pending(): readonly string[] {
    return this.live().map(({ api, id }) => keyOf(api, id));
  }

  private live(): { api: AnyResourceApi; id: string }[] {
    return this.entries.filter(({ api, id }) => !this.gone.has(keyOf(api, id)));
  }

  /**
   * Deletes every registered record not known to be gone (a 404 counts as already gone) and confirms
   * each answers 404, deepest paths first so no child outlives its parent; `only` picks some by
   * `<path>/<id>`. Tries every record even when some fail, and reports all failures together.
   */
  async deleteAll(only?: (key: string) => boolean): Promise<void> {
    const failures: string[] = [];
    const live = this.live().filter(({ api, id }) => only?.(keyOf(api, id)) ?? true);
    const depths = [...new Set(live.map((e) => depth(e.api.path)))].sort((a, b) => b - a);
    for (const level of depths) {
      const batch = live.filter((e) => depth(e.api.path) === level);
      const results = await Promise.allSettled(
        batch.map(async ({ api, id }) => {
          const deleting = this.housekeeping(api);
          await deleting.deleteIfExists(id);
          await deleting.waitUntilDeleted(id);
        }),
      );
      results.forEach((result, index) => {
        const entry = batch[index];
        if (entry === undefined) return;
        if (result.status === 'rejected')
          failures.push(`${entry.api.path}/${entry.id}: ${String(result.reason)}`);
        else {
          this.entries.splice(this.entries.indexOf(entry), 1);
          this.tracked.delete(keyOf(entry.api, entry.id));
        }
      });
    }
    if (failures.length > 0)
      throw new Error(
        `cleanup could not delete ${failures.length} record(s):\n${failures.join('\n')}`,
      );
  }
}

const depth = (path: string) => path.split('/').length;
const keyOf = (api: AnyResourceApi, id: string) => `${api.path}/${id}`;
