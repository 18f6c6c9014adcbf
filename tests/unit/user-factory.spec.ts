import { expect, test } from '@playwright/test';

import { NewUserSchema } from '../../lib/users/user-schema';
import { newRunId, RUN_MARKER_PREFIX, runMarker, UserFactory } from '../../lib/users/user-factory';

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
    const user = new UserFactory({ runId: RUN_ID, seed: 7, domain: 'test.example' }).build();
    expect(NewUserSchema.parse(user)).toEqual(user);
    expect(user.name).toMatch(/^\S+ \S+/);
    expect(user.email).toMatch(/^[a-z0-9.]+\+pwrun-mk2x9a1b2c3-p0-w0-1@test\.example$/);
    expect(user.avatar).toMatch(/^https:\/\//);
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

test('newRunId is lower-case base 36 time plus randomness, unique per call', () => {
  const ids = Array.from({ length: 1_000 }, () => newRunId());
  for (const id of ids) expect(id).toMatch(/^[0-9a-z]{8,}[0-9a-f]{6}$/);
  expect(new Set(ids).size).toBe(ids.length);
  const [first] = ids;
  const time = Number.parseInt(first?.slice(0, -6) ?? '', 36);
  expect(Math.abs(time - Date.now())).toBeLessThan(60_000);
});
