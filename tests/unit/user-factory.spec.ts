import { expect, test } from '@playwright/test';

import { NewUserSchema } from '../../lib/users/user-schema';
import { postsResource } from '../../lib/posts/posts-resource';
import { newRunId, RUN_MARKER_PREFIX, runIdTime, runMarker } from '../../lib/resources/run-marker';
import { UserFactory } from '../../lib/users/user-factory';

const RUN_ID = 'mk2x9a1b2c3';

test.describe('UserFactory', () => {
  test('100,000 payloads have 100,000 distinct emails, each carrying the run marker', () => {
    const factory = new UserFactory({ runId: RUN_ID, workerIndex: 3, parallelIndex: 1 });
    const marker = runMarker(RUN_ID, 1);
    const emails = new Set<string>();
    for (let i = 0; i < 100_000; i += 1) {
      const { email } = factory.build();
      if (!email.includes(marker)) throw new Error(`email ${email} lacks the marker ${marker}`);
      emails.add(email);
    }
    expect(emails.size).toBe(100_000);
  });

  test("an email's local part never exceeds 64 characters, even with a long run id and counter", () => {
    const factory = new UserFactory({ runId: newRunId(), workerIndex: 123, parallelIndex: 45 });
    for (let i = 0; i < 20_000; i += 1) {
      const { email } = factory.build();
      const local = email.split('@')[0] ?? '';
      if (local.length > 64) throw new Error(`${email}: local part of ${local.length} characters`);
      if (!/^[a-z0-9][a-z0-9.]*\+/.test(local)) throw new Error(`${email}: no name before the tag`);
    }
  });

  test('factories of different workers, slots and runs never build the same email', () => {
    // Same seed everywhere, so names collide and only the identifying part keeps emails apart.
    const factories = [
      new UserFactory({ runId: RUN_ID, workerIndex: 0, parallelIndex: 0, seed: 1 }),
      new UserFactory({ runId: RUN_ID, workerIndex: 1, parallelIndex: 0, seed: 1 }),
      new UserFactory({ runId: RUN_ID, workerIndex: 1, parallelIndex: 1, seed: 1 }),
      new UserFactory({ runId: RUN_ID, workerIndex: 11, parallelIndex: 1, seed: 1 }),
      new UserFactory({ runId: RUN_ID, workerIndex: 1, parallelIndex: 11, seed: 1 }),
      new UserFactory({ runId: 'otherrun1', workerIndex: 0, parallelIndex: 0, seed: 1 }),
    ];
    const emails = factories.flatMap((factory) => factory.buildMany(2_000).map((u) => u.email));
    expect(new Set(emails).size).toBe(emails.length);
  });

  test('the same seed builds the same names and avatars', () => {
    const a = new UserFactory({ runId: RUN_ID, seed: 42 }).buildMany(20);
    const b = new UserFactory({ runId: RUN_ID, seed: 42 }).buildMany(20);
    const c = new UserFactory({ runId: RUN_ID, seed: 43 }).buildMany(20);
    expect(b.map((u) => u.name)).toEqual(a.map((u) => u.name));
    expect(b.map((u) => u.avatar)).toEqual(a.map((u) => u.avatar));
    expect(c.map((u) => u.name)).not.toEqual(a.map((u) => u.name));
  });

  test('payloads are realistic and valid for the API', () => {
    const user = new UserFactory({ runId: RUN_ID, seed: 7 }).build();
    expect(NewUserSchema.parse(user)).toEqual(user);
    expect(user.name).toMatch(/^\S+ \S+/);
    expect(user.email).toMatch(/^[a-z0-9.]+\+pwrun-mk2x9a1b2c3-p0-w0-1@example\.com$/);
    expect(user.avatar).toMatch(/^https:\/\//);
  });

  test("another resource's factory shares the marker and the counter", () => {
    const users = new UserFactory({ runId: RUN_ID, workerIndex: 2 });
    const posts = users.for(postsResource);
    expect(users.build().email).toContain('+pwrun-mk2x9a1b2c3-p0-w2-1@');
    const post = posts.build();
    expect(post.title).toMatch(/ pwrun-mk2x9a1b2c3-p0-w2-2$/);
    expect(post.body.length).toBeGreaterThan(0);
    expect(users.build().email).toContain('-w2-3@');
    expect(posts.marker).toBe(users.marker);
  });

  test('overrides win over generated fields and can add new ones', () => {
    const factory = new UserFactory({ runId: RUN_ID });
    const user = factory.build({ name: 'Fixed Name', avatar: '', jobTitle: 'Tester' });
    expect(user).toMatchObject({ name: 'Fixed Name', avatar: '', jobTitle: 'Tester' });
    expect(user.email).toContain(factory.marker);
    expect(factory.buildMany(3, { name: 'Same' }).map((u) => u.name)).toEqual([
      'Same',
      'Same',
      'Same',
    ]);
  });

  test('the marker identifies the run and the worker slot', () => {
    expect(new UserFactory({ runId: RUN_ID, parallelIndex: 2 }).marker).toBe(
      `${RUN_MARKER_PREFIX}${RUN_ID}-p2-`,
    );
    // A slot's marker is not a substring of another slot's, so a sweep never takes a neighbour's users.
    expect(runMarker(RUN_ID, 10).includes(runMarker(RUN_ID, 1))).toBe(false);
  });

  test('a run id that could break emails or markers is refused', () => {
    expect(() => new UserFactory({ runId: 'Run-1' })).toThrow(
      'run id "Run-1" must be lower-case letters and digits',
    );
  });
});

test.describe('newRunId', () => {
  // Base 36 of any time in ms from 1973 to 2059 has 8 digits.
  const NOW = Date.UTC(2026, 0, 15, 12, 0, 0, 123);
  const RANDOM_DIGITS = 13;
  const BITS_64 = (1n << 64n) - 1n;
  const timeOf = (id: string) => Number.parseInt(id.slice(0, -RANDOM_DIGITS), 36);
  const randomOf = (id: string) => {
    let value = 0n;
    for (const digit of id.slice(-RANDOM_DIGITS)) value = value * 36n + BigInt(parseInt(digit, 36));
    return value;
  };

  test('is the base-36 time followed by 13 base-36 random digits, all lower case', () => {
    const id = newRunId(NOW);
    expect(id).toMatch(/^[0-9a-z]{8}[0-9a-z]{13}$/);
    expect(timeOf(id), 'the time is all but the last 13 digits').toBe(NOW);
    expect(runIdTime(id), 'the janitor reads the time back').toBe(NOW);
  });

  test("the time is the clock's unless given", () => {
    const clock = Date.now;
    Date.now = () => NOW + 1;
    try {
      expect(timeOf(newRunId())).toBe(NOW + 1);
    } finally {
      Date.now = clock;
    }
  });

  test('the random part carries 64 bits: each of them takes both values over 200 ids', () => {
    // A correct implementation fails this only if some bit is constant over 200 independent
    // draws: probability at most 64 × 2 × 2^-200, about 8e-59.
    const values = Array.from({ length: 200 }, () => randomOf(newRunId(NOW)));
    let someOne = 0n;
    let someZero = 0n;
    for (const value of values) {
      expect(value <= BITS_64, 'no more than 64 bits').toBe(true);
      someOne |= value;
      someZero |= ~value & BITS_64;
    }
    expect(someOne.toString(2), 'every bit is 1 in some id').toBe('1'.repeat(64));
    expect(someZero.toString(2), 'every bit is 0 in some id').toBe('1'.repeat(64));
  });

  test('1,000 ids made in the same millisecond are distinct', () => {
    // Only the 64 random bits tell them apart: a collision among 1,000 ids has probability at most
    // 1,000 × 999 / 2 / 2^64, about 3e-14.
    const ids = Array.from({ length: 1_000 }, () => newRunId(NOW));
    expect(new Set(ids).size).toBe(ids.length);
  });

  test('a factory accepts the ids it makes and marks its emails with them', () => {
    const runId = newRunId();
    const factory = new UserFactory({ runId, parallelIndex: 11, workerIndex: 23 });
    const user = factory.build();
    expect(NewUserSchema.parse(user)).toEqual(user);
    expect(user.email).toMatch(new RegExp(`^[a-z0-9.]+\\+pwrun-${runId}-p11-w23-1@example\\.com$`));
  });
});
