import type { ApiRecord, Resource } from './resource';
import type { AnyResourceApi } from './resource-api';

/** The resources nested directly under `parent`: `users/:userId/posts` under `users`. */
export function childrenOf(parent: Resource, resources: readonly Resource[]): Resource[] {
  return resources.filter((r) => new RegExp(`^${escape(parent.path)}/:\\w+/[^/:]+$`).test(r.path));
}

/**
 * Finds every record of `api` whose unique field carries `marker` (the API filters by substring and
 * case-insensitively, so each is re-checked) and deletes it, after sweeping the children `nested`
 * gives for it. Returns what it deleted, as `<path>/<id>`. Nothing unmarked is ever touched.
 */
export async function sweepMarked(
  api: AnyResourceApi,
  marker: string,
  nested: (record: ApiRecord) => AnyResourceApi[] = () => [],
): Promise<string[]> {
  const field = api.resource.uniqueField;
  const found: ApiRecord[] = [];
  const limit = 100;
  for (let page = 1; ; page += 1) {
    const batch = (await api.list({ filters: { [field]: marker }, page, limit })) as ApiRecord[];
    found.push(...batch);
    if (batch.length < limit) break;
  }
  const deleted: string[] = [];
  for (const record of found) {
    const value = record[field];
    if (typeof value !== 'string' || !value.includes(marker)) continue;
    for (const child of nested(record)) deleted.push(...(await sweepMarked(child, marker)));
    if (await api.deleteIfExists(record.id)) deleted.push(`${api.path}/${record.id}`);
  }
  return deleted;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
