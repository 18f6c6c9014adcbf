import { ReplicationQueue } from './replication';
import { UserStore, type UserRecord } from './store';

/** Fields a client may never set: the server owns them. */
const serverOwnedFields = new Set(['id', 'createdAt']);

/**
 * The users collection as the routes see it: writes go to the primary store,
 * reads come from a replica that receives those writes after `readLagMs`.
 * Without lag (and without a defect that needs the split) both are one store.
 */
export class UsersRepository {
  readonly primary = new UserStore();
  readonly replica: UserStore;
  readonly #replication: ReplicationQueue | undefined;
  #lastId = 0;
  readonly #createdEmails = new Set<string>();
  #duplicateEmails = 0;

  constructor(options: { readLagMs: number; separateReplica: boolean }) {
    if (options.readLagMs > 0 || options.separateReplica) {
      this.replica = new UserStore();
      this.#replication = new ReplicationQueue(options.readLagMs);
    } else {
      this.replica = this.primary;
    }
  }

  /** The most recently assigned id, or null before the first create. */
  get lastId(): string | null {
    return this.#lastId === 0 ? null : String(this.#lastId);
  }

  /**
   * Creates whose email an earlier create already had, deleted since or not: what a client that
   * re-sends a create the server had committed leaves behind. Reported by the control API.
   */
  get duplicateEmails(): number {
    return this.#duplicateEmails;
  }

  /** Stores a new user with the next id and a fresh createdAt. */
  create(fields: Readonly<Record<string, unknown>>): UserRecord {
    this.#lastId += 1;
    const email = fields['email'];
    if (typeof email === 'string' && email !== '') {
      if (this.#createdEmails.has(email)) this.#duplicateEmails += 1;
      else this.#createdEmails.add(email);
    }
    const record: UserRecord = {
      ...withoutServerFields(fields),
      id: String(this.#lastId),
      createdAt: new Date().toISOString(),
    };
    this.primary.put(record);
    this.#replicate((replica) => {
      replica.put(record);
    });
    return record;
  }

  /** The record `update` would produce, without storing it. */
  merged(id: string, fields: Readonly<Record<string, unknown>>): UserRecord | undefined {
    const current = this.primary.get(id);
    if (current === undefined) return undefined;
    return {
      ...current,
      ...withoutServerFields(fields),
      id: current.id,
      createdAt: current.createdAt,
    };
  }

  /** Merges the sent fields into an existing user; id and createdAt never change. */
  update(id: string, fields: Readonly<Record<string, unknown>>): UserRecord | undefined {
    const record = this.merged(id, fields);
    if (record === undefined) return undefined;
    this.primary.put(record);
    this.#replicate((replica) => {
      replica.put(record);
    });
    return record;
  }

  /** Deletes a user; `replicate: false` leaves it readable in the replica forever. */
  remove(id: string, options: { replicate: boolean }): UserRecord | undefined {
    const record = this.primary.remove(id);
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

  #replicate(change: (replica: UserStore) => void): void {
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
