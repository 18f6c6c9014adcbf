import { expect, test } from '@playwright/test';
import fc from 'fast-check';

import { modelBudget, MODEL_DEFAULTS } from '../../lib/config/model-budget';
import { toCode } from '../../lib/model/code';
import { counterexampleTest, replayCommand } from '../../lib/model/counterexample';
import { jsonEqual, toJson } from '../../lib/model/json';
import { UsersModel } from '../../lib/model/users-model';

const created = (id: string, fields: Record<string, unknown> = {}) => ({
  id,
  createdAt: '2026-01-15T12:00:00.000Z',
  ...fields,
});

test.describe('the users model', () => {
  test('a create answered with every sent field, a new id and createdAt joins the model', () => {
    const model = new UsersModel();
    const sent = { name: 'Ann', email: 'a@x.io', age: 42 };
    expect(model.create(sent, created('7', sent))).toEqual([]);
    expect(model.live.map((u) => [u.ref, u.record.id])).toEqual([['u1', '7']]);
    expect(model.read(model.live[0] ?? fail())).toEqual({
      status: 200,
      record: created('7', sent),
    });
  });

  test('a create that changes, drops or adds to what was sent is named field by field', () => {
    const model = new UsersModel();
    const problems = model.create(
      { name: ' Ann ', email: 'A@x.io', nickname: null },
      created('1', { name: 'Ann', email: 'a@x.io' }),
    );
    expect(problems).toEqual([
      'name: sent " Ann ", answered "Ann"',
      'email: sent "A@x.io", answered "a@x.io"',
      'nickname: sent null, missing from the answer',
    ]);
    expect(model.live).toEqual([]);
  });

  test('fields the server fills in are accepted and kept from then on', () => {
    const model = new UsersModel();
    expect(model.create({ name: 'Ann' }, created('1', { name: 'Ann', avatar: 'x.png' }))).toEqual(
      [],
    );
    expect(model.live[0]?.record).toEqual(created('1', { name: 'Ann', avatar: 'x.png' }));
  });

  test('ids are new strings, after the ones assigned before when numeric', () => {
    const model = new UsersModel();
    expect(model.create({}, created('5'))).toEqual([]);
    expect(model.create({}, created('5'))).toEqual([
      'id: 5 was already given to another user',
      'id: 5 is not after 5, ids are assigned in sequence',
    ]);
    expect(model.create({}, created('4'))).toEqual([
      'id: 4 is not after 5, ids are assigned in sequence',
    ]);
    expect(model.create({}, { ...created('x'), id: 6 })).toEqual([
      'id: expected a non-empty string, answered 6',
    ]);
    expect(model.create({}, { id: '6' })).toEqual([
      'createdAt: expected an ISO timestamp, answered undefined',
    ]);
    expect(model.create({}, created('12'))).toEqual([]);
  });

  test('PUT and PATCH merge the sent fields into the record, top level only', () => {
    const model = new UsersModel();
    model.create(
      { name: 'Ann', address: { city: 'Haifa', zip: '1' } },
      created('1', { name: 'Ann', address: { city: 'Haifa', zip: '1' } }),
    );
    const user = model.live[0] ?? fail();
    expect(model.merge(user, { address: { city: 'Acre' }, age: undefined, score: -0 })).toEqual(
      created('1', { name: 'Ann', address: { city: 'Acre' }, score: 0 }),
    );
  });

  test('a deleted user reads 404 and leaves the scope', () => {
    const model = new UsersModel();
    model.create({ name: 'Ann' }, created('1', { name: 'Ann' }));
    model.create({ name: 'Bo' }, created('2', { name: 'Bo' }));
    const [ann] = model.live;
    if (ann === undefined) fail();
    expect(model.remove(ann)).toEqual(created('1', { name: 'Ann' }));
    expect(model.read(ann)).toEqual({ status: 404 });
    expect(model.gone).toEqual([ann]);
    expect(model.list({}).certain.map((r) => r.id)).toEqual(['2']);
    expect(() => model.merge(ann, { name: 'x' })).toThrow(/not a live user/);
  });
});

test.describe('JSON helpers', () => {
  test('toJson is what a value becomes once sent', () => {
    expect(toJson({ a: undefined, b: -0, c: [undefined] })).toEqual({ b: 0, c: [null] });
  });

  test('jsonEqual ignores key order and nothing else', () => {
    expect(jsonEqual({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 })).toBe(true);
    expect(jsonEqual({ a: 1 }, { a: '1' })).toBe(false);
    expect(jsonEqual([1, 2], [2, 1])).toBe(false);
    expect(jsonEqual({ a: null }, {})).toBe(false);
  });

  test('every JSON value survives toCode', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        // eslint-disable-next-line @typescript-eslint/no-implied-eval -- evaluating generated source is the point
        const evaluate = new Function(`return (${toCode(value)});`) as () => unknown;
        const back = evaluate();
        expect(toJson(back)).toEqual(toJson(value));
      }),
    );
  });

  test('a "__proto__" key survives toCode as a key, not as the prototype', () => {
    // fast-check's jsonValue() drew it once in CI (seed -979188937): pinned here for every run.
    const value = JSON.parse('{"__proto__": 0, "a": {"__proto__": [1]}}') as unknown;
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- evaluating generated source is the point
    const back = (new Function(`return (${toCode(value)});`) as () => unknown)();
    expect(toJson(back)).toEqual(toJson(value));
    expect(Object.keys(back as object)).toEqual(['__proto__', 'a']);
  });

  test('long repeated strings print as repeat()', () => {
    expect(toCode({ name: 'L'.repeat(300), 'odd key': 'ab'.repeat(30) })).toBe(
      '{ name: "L".repeat(300), "odd key": "ab".repeat(30) }',
    );
  });
});

test.describe('model budget', () => {
  const local = { name: 'local', rateLimitRps: 0 };
  const qa = { name: 'qa', rateLimitRps: 8 };

  test('an unpaced environment gets the deeper default, a paced one the small one', () => {
    expect(modelBudget(local, {})).toEqual(MODEL_DEFAULTS.unpaced);
    expect(modelBudget(qa, {})).toEqual(MODEL_DEFAULTS.paced);
  });

  test("an environment's own variables win over the shared ones", () => {
    const env = { MODEL_RUNS: '5', QA_MODEL_RUNS: '50', MODEL_MAX_COMMANDS: '4' };
    expect(modelBudget(qa, env)).toMatchObject({ runs: 50, maxCommands: 4 });
    expect(modelBudget(local, env)).toMatchObject({ runs: 5, maxCommands: 4 });
  });

  test('a replay is read from MODEL_SEED, MODEL_PATH and MODEL_REPLAY_PATH', () => {
    const env = { MODEL_SEED: '-12', MODEL_PATH: '3:1:0', MODEL_REPLAY_PATH: 'AD:B' };
    expect(modelBudget(local, env)).toMatchObject({ seed: -12, path: '3:1:0', replayPath: 'AD:B' });
  });

  test('a bad value names its variable', () => {
    expect(() => modelBudget(qa, { QA_MODEL_RUNS: '0' })).toThrow(
      'QA_MODEL_RUNS must be 1 or more',
    );
    expect(() => modelBudget(qa, { MODEL_TIME_MS: 'soon' })).toThrow(
      'MODEL_TIME_MS must be a whole number',
    );
    expect(() => modelBudget(qa, { MODEL_SEED: '1.5' })).toThrow(
      'MODEL_SEED must be a whole number',
    );
  });
});

test.describe('counterexample', () => {
  const example = {
    transcript: [
      { code: 'const u1 = await model.create({ name: "Ann" }, "A");', request: 'POST /users {}' },
      { code: 'await model.read(u1);', request: 'GET /users/1' },
    ],
    commands: 2,
    error: 'boom',
    seed: 42,
    path: '1:0',
    replayPath: 'AB:C',
    project: 'local',
  };

  test('prints as a Playwright test that calls the session, the failing call marked', () => {
    const source = counterexampleTest(example);
    expect(source).toContain(`import { ModelSession } from '../../lib/model/session';`);
    expect(source).toContain('  const model = new ModelSession(users, factory);\n');
    expect(source).toContain('  await model.read(u1); // ← disagrees with the model\n');
  });

  test('says how to replay the search', () => {
    expect(replayCommand(example)).toBe(
      "MODEL_SEED=42 MODEL_PATH='1:0' MODEL_REPLAY_PATH='AB:C' npx playwright test --project=local --grep @model",
    );
  });
});

function fail(): never {
  throw new Error('expected a user in the model');
}
