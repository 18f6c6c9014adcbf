import { createdAtText, type ListSemantics } from './list-semantics';
import { mulberry32, type Random } from './random';
import { ReplicationQueue } from './replication';
import type { ResourceDeclaration } from './resources';
import { Collection, type StoredRecord } from './store';

/** Fields a client may never set: the server owns them. */
const serverOwnedFields = new Set(['id', 'createdAt']);

/** What a resource's state looks like to the control API. */
export interface ResourceState {
  /** Records in the primary, which writes act on. */
  records: number;
  /** The most recently assigned id, or null before the first create. */
  lastId: string | null;
  /**
   * Creates whose email an earlier create already had, deleted since or not: what a client that
   * re-sends a create the server had committed leaves behind.
   */
  duplicateEmails: number;
}

/** How writes reach the read replicas: every field but the base lag defaults to off. */
export interface ReplicationOptions {
  readLagMs: number;
  /** Up to this much more lag per write and replica, at random. */
  jitterMs?: number;
  /** Share of writes that reach a replica only after `tailMs` (a slow tail). */
  tailRate?: number;
  tailMs?: number;
  /** Read replicas; each read asks one at random, so reads are not monotonic. Default 1. */
  replicas?: number;
  seed?: number;
}

/**
 * One resource's records as the routes see them: writes go to the primary, reads come from a
 * replica that receives those writes after the read lag (per write and replica, when it varies;
 * from one of several replicas at random, when there are several). Without lag (and without a
 * defect that needs the split) both are one collection. Ids are assigned in sequence per resource, across all
 * parents, as mockapi.io does.
 */
export class ResourceRepository {
  readonly resource: ResourceDeclaration;
  readonly primary: Collection;
  readonly #replicas: readonly { collection: Collection; queue: ReplicationQueue | undefined }[];
  readonly #pick: Random;
  #lastId = 0;
  readonly #createdEmails = new Set<string>();
  #duplicateEmails = 0;
  readonly #semantics: ListSemantics;
  /** Deleted ids a create takes again (only with the defect `deleted-id-reused`). */
  readonly #freedIds: string[] | undefined;

  constructor(
    resource: ResourceDeclaration,
    options: ReplicationOptions & {
      separateReplica: boolean;
      listSemantics?: ListSemantics;
      reuseDeletedIds?: boolean;
    },
  ) {
    this.resource = resource;
    this.#freedIds = options.reuseDeletedIds === true ? [] : undefined;
    this.#semantics = options.listSemantics ?? 'strict';
    this.primary = new Collection(resource.parentField);
    const { readLagMs, jitterMs = 0, tailRate = 0, tailMs = 0, replicas = 1, seed = 1 } = options;
    const varies = jitterMs > 0 || (tailRate > 0 && tailMs > 0);
    this.#pick = mulberry32(seed ^ 0x7e91);
    if (readLagMs > 0 || varies || replicas > 1 || options.separateReplica) {
      this.#replicas = Array.from({ length: replicas }, (_, index) => {
        const random = mulberry32((seed ^ 0x1a60) + index);
        const lag = () =>
          tailRate > 0 && random() < tailRate
            ? Math.max(readLagMs, tailMs)
            : readLagMs + Math.floor(random() * jitterMs);
        return {
          collection: new Collection(resource.parentField),
          queue: new ReplicationQueue(varies ? lag : readLagMs),
        };
      });
    } else {
      this.#replicas = [{ collection: this.primary, queue: undefined }];
    }
  }

  /** Where a read looks: the replica, or one of them at random. */
  get replica(): Collection {
    const replicas = this.#replicas;
    const index = replicas.length === 1 ? 0 : Math.floor(this.#pick() * replicas.length);
    return (replicas[index] ?? replicas[0])?.collection ?? this.primary;
  }

  /** The control API's view of this resource. */
  state(): ResourceState {
    return {
      records: this.primary.size,
      lastId: this.#lastId === 0 ? null : String(this.#lastId),
      duplicateEmails: this.#duplicateEmails,
    };
  }

  /**
   * Stores a new record with the next id and a fresh createdAt. A `parentId` (from the URL of a
   * child) wins over whatever the client sent in the parent field.
   */
  create(
    fields: Readonly<Record<string, unknown>>,
    parentId?: string,
    asId?: string,
  ): StoredRecord {
    const reused = asId ?? this.#freedIds?.pop();
    if (reused === undefined) this.#lastId += 1;
    const email = fields['email'];
    if (typeof email === 'string' && email !== '') {
      if (this.#createdEmails.has(email)) this.#duplicateEmails += 1;
      else this.#createdEmails.add(email);
    }
    const record: StoredRecord = {
      ...this.#clientFields(fields, parentId),
      id: reused ?? String(this.#lastId),
      createdAt: createdAtText(new Date(), this.#semantics),
    };
    this.primary.put(record);
    this.#replicate((replica) => {
      replica.put(record);
    });
    return record;
  }

  /** The record `update` would produce, without storing it. */
  merged(
    id: string,
    fields: Readonly<Record<string, unknown>>,
    parentId?: string,
  ): StoredRecord | undefined {
    const current = this.primary.all.get(id);
    if (current === undefined) return undefined;
    return {
      ...current,
      ...this.#clientFields(fields, parentId),
      id: current.id,
      createdAt: current.createdAt,
    };
  }

  /** Merges the sent fields into an existing record; id and createdAt never change. */
  update(
    id: string,
    fields: Readonly<Record<string, unknown>>,
    parentId?: string,
  ): StoredRecord | undefined {
    const record = this.merged(id, fields, parentId);
    if (record === undefined) return undefined;
    this.primary.put(record);
    this.#replicate((replica) => {
      replica.put(record);
    });
    return record;
  }

  /** Deletes a record; `replicate: false` leaves it readable in the replica forever. */
  remove(id: string, options: { replicate: boolean }): StoredRecord | undefined {
    const record = this.primary.remove(id);
    if (record !== undefined) this.#freedIds?.push(id);
    if (record !== undefined && options.replicate) {
      this.#replicate((replica) => {
        replica.remove(id);
      });
    }
    return record;
  }

  /** Stops replication timers so the process can exit. */
  close(): void {
    for (const { queue } of this.#replicas) queue?.close();
  }

  #clientFields(
    fields: Readonly<Record<string, unknown>>,
    parentId: string | undefined,
  ): Record<string, unknown> {
    const kept = withoutServerFields(fields);
    const { parentField } = this.resource;
    if (parentId !== undefined && parentField !== undefined) kept[parentField] = parentId;
    return kept;
  }

  #replicate(change: (replica: Collection) => void): void {
    for (const { collection, queue } of this.#replicas)
      queue?.enqueue(() => {
        change(collection);
      });
  }
}

function withoutServerFields(fields: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const key of Object.keys(fields)) {
    if (serverOwnedFields.has(key)) continue;
    // Plain assignment of "__proto__" would replace the prototype; define it as data instead.
    if (key === '__proto__') {
      Object.defineProperty(kept, key, {
        value: fields[key],
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else {
      kept[key] = fields[key];
    }
  }
  return kept;
}
