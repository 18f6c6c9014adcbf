import { createdAtText, type ListSemantics } from './list-semantics';
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

/**
 * One resource's records as the routes see them: writes go to the primary, reads come from a
 * replica that receives those writes after `readLagMs`. Without lag (and without a defect that
 * needs the split) both are one collection. Ids are assigned in sequence per resource, across all
 * parents, as mockapi.io does.
 */
export class ResourceRepository {
  readonly resource: ResourceDeclaration;
  readonly primary: Collection;
  readonly replica: Collection;
  readonly #replication: ReplicationQueue | undefined;
  #lastId = 0;
  readonly #createdEmails = new Set<string>();
  #duplicateEmails = 0;
  readonly #semantics: ListSemantics;
  /** Deleted ids a create takes again (only with the defect `deleted-id-reused`). */
  readonly #freedIds: string[] | undefined;

  constructor(
    resource: ResourceDeclaration,
    options: {
      readLagMs: number;
      separateReplica: boolean;
      listSemantics?: ListSemantics;
      reuseDeletedIds?: boolean;
    },
  ) {
    this.resource = resource;
    this.#freedIds = options.reuseDeletedIds === true ? [] : undefined;
    this.#semantics = options.listSemantics ?? 'strict';
    this.primary = new Collection(resource.parentField);
    if (options.readLagMs > 0 || options.separateReplica) {
      this.replica = new Collection(resource.parentField);
      this.#replication = new ReplicationQueue(options.readLagMs);
    } else {
      this.replica = this.primary;
    }
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
    this.#replication?.close();
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
    if (this.#replication === undefined) return;
    const replica = this.replica;
    this.#replication.enqueue(() => {
      change(replica);
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
