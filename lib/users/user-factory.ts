import { randomBytes } from 'node:crypto';

import { Faker, en } from '@faker-js/faker';

import type { NewUser } from './user-schema';

/** Marks test data: every email the factory builds contains `pwrun-<runId>-p<parallelIndex>-`. */
export const RUN_MARKER_PREFIX = 'pwrun-';

/**
 * A fresh run id: the base-36 time in ms (`now`), then 64 random bits as 13 base-36 digits, so ids
 * made in the same millisecond on any number of machines do not collide. `runIdTime` reads the time
 * back.
 */
export function newRunId(now: number = Date.now()): string {
  // 36^13 > 2^64: any 64-bit value fits in 13 digits, so zero-padded the random part has a fixed width.
  const random = randomBytes(8).readBigUInt64BE().toString(36).padStart(13, '0');
  return `${now.toString(36)}${random}`;
}

const MAX_LOCAL_PART = 64;

export interface UserFactoryOptions {
  /** Identifies this run of the suite; shared by every worker and shard of it. */
  runId: string;
  /** Playwright's parallelIndex: a replacement worker reuses it, so its sweep finds a crashed worker's users. */
  parallelIndex?: number;
  /** Playwright's workerIndex: unique per worker process, so counters never collide. */
  workerIndex?: number;
  /** Makes names and avatars reproducible. */
  seed?: number;
  /** Email domain; `example.com` is reserved for documentation and never delivers mail. */
  domain?: string;
}

/** Builds realistic, collision-free user payloads that carry this run's marker. */
export class UserFactory {
  private readonly faker = new Faker({ locale: [en] });
  private counter = 0;
  private readonly workerTag: string;

  constructor(private readonly options: UserFactoryOptions) {
    if (!/^[a-z0-9]+$/.test(options.runId)) {
      throw new Error(`run id "${options.runId}" must be lower-case letters and digits`);
    }
    if (options.seed !== undefined) this.faker.seed(options.seed);
    this.workerTag = `w${options.workerIndex ?? 0}`;
  }

  /** The marker shared by every user this factory's worker slot builds in this run. */
  get marker(): string {
    return runMarker(this.options.runId, this.options.parallelIndex ?? 0);
  }

  /** One payload; `overrides` replace any generated field or add new ones. */
  build(overrides: Partial<NewUser> & Record<string, unknown> = {}): NewUser {
    this.counter += 1;
    const firstName = this.faker.person.firstName();
    const lastName = this.faker.person.lastName();
    const tag = `+${this.marker}${this.workerTag}-${this.counter}`;
    // An email's local part holds at most 64 characters (RFC 5321): the name gives way to the tag.
    const local = `${firstName}.${lastName}`
      .toLowerCase()
      .replace(/[^a-z0-9.]/g, '')
      .slice(0, Math.max(1, MAX_LOCAL_PART - tag.length))
      .replace(/\.$/, '');
    return {
      name: `${firstName} ${lastName}`,
      email: `${local}${tag}@${this.options.domain ?? 'example.com'}`,
      avatar: this.faker.image.avatar(),
      ...overrides,
    };
  }

  /** `count` payloads, each with the same overrides. */
  buildMany(count: number, overrides: Partial<NewUser> & Record<string, unknown> = {}): NewUser[] {
    return Array.from({ length: count }, () => this.build(overrides));
  }
}

/** The marker of one worker slot of a run: `pwrun-<runId>-p<parallelIndex>-`. */
export function runMarker(runId: string, parallelIndex: number): string {
  return `${RUN_MARKER_PREFIX}${runId}-p${parallelIndex}-`;
}

/** `Date.now().toString(36)` has 8 digits from mid-1972 to mid-2059. */
const RUN_ID_TIME_DIGITS = 8;

/**
 * When a run id was made (ms since the epoch), read from its base-36 time prefix; undefined when it
 * is not a run id. Reads the first 8 digits, which also fits ids made before the random part grew
 * to 64 bits (6 hex digits then, 13 base-36 digits now).
 */
export function runIdTime(runId: string): number | undefined {
  if (!/^[a-z0-9]+$/.test(runId) || runId.length <= RUN_ID_TIME_DIGITS) return undefined;
  return Number.parseInt(runId.slice(0, RUN_ID_TIME_DIGITS), 36);
}
