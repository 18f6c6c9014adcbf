import { randomBytes } from 'node:crypto';

import { Faker, en } from '@faker-js/faker';

import type { NewUser } from './user-schema';

/** Marks test data: every email the factory builds contains `pwrun-<runId>-p<parallelIndex>-`. */
export const RUN_MARKER_PREFIX = 'pwrun-';

/** A fresh run id: base-36 time plus randomness, so parallel machines and reruns never collide. */
export function newRunId(): string {
  return `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

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
    const local = `${firstName}.${lastName}`.toLowerCase().replace(/[^a-z0-9.]/g, '');
    return {
      name: `${firstName} ${lastName}`,
      email: `${local}+${this.marker}${this.workerTag}-${this.counter}@${this.options.domain ?? 'example.com'}`,
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
