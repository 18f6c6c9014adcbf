import { expect, test } from '@playwright/test';

import { parseJson } from '../http/json-body';
import { show } from '../model/json';
import type { ModelSession } from '../model/session';
import type { ModelUser } from '../model/users-model';
import type { ResourceApi } from '../resources/resource-api';
import {
  FLOOR_RECORDS,
  type FloorQuery,
  type FloorShape,
  floorQueries,
  floorRecords,
} from './floor-plan';
import { classField, STRING_CLASSES, VALUE_CLASSES } from './value-classes';

/** What a part of the floor ran: its checks, per group, and the requests they sent. */
export interface FloorTally {
  cases: Record<string, number>;
  requests: number;
}

/** A tally that counts every request `api`'s client sends from now on, retries included. */
export function tallyRequests(api: ResourceApi): FloorTally {
  const tally: FloorTally = { cases: {}, requests: 0 };
  api.client.observe({
    onCall: (call) => {
      tally.requests += call.attempts;
    },
  });
  return tally;
}

/** One line for the log and the report: `72 cases (page edges 22, …), 101 requests`. */
export function describeTally(tally: FloorTally): string {
  const entries = Object.entries(tally.cases);
  const total = entries.reduce((sum, [, count]) => sum + count, 0);
  const parts = entries.map(([group, count]) => `${group} ${count}`).join(', ');
  return `${total} cases (${parts}), ${tally.requests} requests`;
}

const count = (tally: FloorTally, group: string, by = 1) => {
  tally.cases[group] = (tally.cases[group] ?? 0) + by;
};

/**
 * The list part of the floor: creates the plan's records in the session's scope, and under another
 * parent (`foreign`, same scope) a copy of two of them that no list of this parent may hold; then
 * checks every query of the plan against the model.
 */
export async function runListFloor(
  session: ModelSession,
  shape: FloorShape,
  tally: FloorTally,
  foreign?: ModelSession,
): Promise<void> {
  const records = floorRecords(shape);
  if (foreign !== undefined)
    for (const record of records.slice(0, 2)) await foreign.create(record.fields, record.local);
  for (const record of records) await session.create(record.fields, record.local);
  count(tally, 'creates', records.length);
  const queries: FloorQuery[] = floorQueries(shape);
  for (const { group, query, upperScope } of queries) {
    await session.list(query, upperScope === true ? { upperScope } : {});
    count(tally, group);
  }
}

/**
 * The id lifecycle, after {@link runListFloor}: deleted ids answer 404 to every operation and stay
 * deleted, new records never get an id given before, an id never assigned answers 404 everywhere,
 * and (with `foreign`) a record under another parent answers 404 under this one and is left as it was.
 */
export async function runIdLifecycle(
  session: ModelSession,
  api: ResourceApi,
  shape: FloorShape,
  tally: FloorTally,
  foreign?: ModelSession,
): Promise<void> {
  const records = floorRecords(shape);
  const doomed = [session.model.live[1], session.model.live[4]].filter((u) => u !== undefined);
  for (const user of doomed) await session.delete(user);
  // Their ids must not come back: the model refuses an id it has seen, live or deleted.
  for (const index of [1, 4]) {
    const record = records[index];
    if (record !== undefined) await session.create(record.fields, record.local);
  }
  for (const user of doomed) await session.read(user);
  const [first] = doomed;
  if (first !== undefined) await session.deleteAgain(first);
  count(tally, 'id lifecycle', doomed.length * 3 + 1);

  const ids = [...session.model.live, ...session.model.gone].map((u) => u.record.id);
  const unknown = ids.every((id) => /^\d+$/.test(id))
    ? String(Math.max(...ids.map(Number)) + 1_000_000_000)
    : undefined;
  for (const id of [first?.record.id, unknown]) {
    if (id === undefined) continue;
    await answers404Everywhere(api, id, shape);
    count(tally, 'id lifecycle', 4);
  }
  // A PUT or PATCH of a deleted id must not have brought it back.
  if (first !== undefined) await session.read(first);

  if (foreign !== undefined) {
    const stranger = foreign.model.live[0];
    if (stranger !== undefined) {
      await answers404Everywhere(api, stranger.record.id, shape);
      await foreign.read(stranger);
      count(tally, 'other parent', 5);
    }
  }
  await session.list({ sortBy: shape.scopeField });
  count(tally, 'id lifecycle');
  expect(session.model.live.length, 'records live after the lifecycle').toBe(FLOOR_RECORDS);
}

/** GET, PUT, PATCH and DELETE of `id` under `api` each answer `404 "Not found"`. */
async function answers404Everywhere(
  api: ResourceApi,
  id: string,
  shape: FloorShape,
): Promise<void> {
  const field = shape.textFields[0] ?? shape.scopeField;
  for (const method of ['GET', 'PUT', 'PATCH', 'DELETE'] as const) {
    const call = `${method} /${api.path}/${id}`;
    await test.step(`${call} answers 404`, async () => {
      const result = await api.raw({
        method,
        path: encodeURIComponent(id),
        ...(method === 'PUT' || method === 'PATCH' ? { body: { [field]: 'floor' } } : {}),
      });
      const body = parseJson(call, result);
      expect(
        { status: result.status, body },
        `${call} of an id this parent does not hold: answered ${result.status} ${show(body)}`,
      ).toEqual({ status: 404, body: 'Not found' });
    });
  }
}

/**
 * Every class of field value (`value-classes.ts`), round-tripped: created in three records (the
 * string classes in the declared string fields too), read, PATCHed and PUT with the classes moved
 * to other fields, read after each, and listed.
 */
export async function runValueFloor(
  session: ModelSession,
  shape: FloorShape,
  tally: FloorTally,
): Promise<void> {
  const fieldsFor = (record: number, shift: number) => ({
    ...Object.fromEntries(
      shape.textFields.map((field, j) => {
        const valueClass = STRING_CLASSES[(record * 4 + j + shift) % STRING_CLASSES.length];
        return [field, valueClass?.value ?? ''];
      }),
    ),
    ...Object.fromEntries(
      VALUE_CLASSES.map((valueClass, k) => [
        classField(valueClass),
        VALUE_CLASSES[(k + shift + record) % VALUE_CLASSES.length]?.value ?? null,
      ]),
    ),
  });
  const made: ModelUser[] = [];
  for (let record = 0; record < 3; record += 1)
    made.push(await session.create(fieldsFor(record, 0), `value${record}`));
  for (const user of made) await session.read(user);
  for (const [record, user] of made.entries()) await session.patch(user, fieldsFor(record, 1));
  for (const user of made) await session.read(user);
  for (const [record, user] of made.entries()) await session.put(user, fieldsFor(record, 2));
  for (const user of made) await session.read(user);
  await session.list({ sortBy: shape.scopeField });
  count(tally, 'value classes', VALUE_CLASSES.length);
  count(tally, 'round trips', made.length * 6 + 1);
}
