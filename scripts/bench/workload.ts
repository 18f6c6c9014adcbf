import type { APIRequestContext, APIResponse } from '@playwright/test';

import type { NewUser, UserPatch } from '../../lib/users/user-schema';
import { newRunId } from '../../lib/resources/run-marker';
import { UserFactory } from '../../lib/users/user-factory';
import type { UsersApi } from '../../lib/users/users-api';

/** Calls in one cycle: create, get, update, list a page, delete. */
export const CALLS_PER_CYCLE = 5;

/** The payloads of one cycle, built before the clock starts. */
export interface CyclePayload {
  user: NewUser;
  patch: UserPatch;
}

/** One CRUD cycle against some client; both sides of a comparison run the same cycles. */
export type Cycle = (payload: CyclePayload) => Promise<void>;

/** Unique, marked payloads (unique emails matter: a reconciled create looks its user up by email). */
export function buildPayloads(count: number, seed: number): CyclePayload[] {
  const factory = new UserFactory({ runId: newRunId(), seed });
  return Array.from({ length: count }, (_, n) => ({
    user: factory.build(),
    patch: { name: `Renamed ${n}` },
  }));
}

/** The cycle through the framework: retries, schema validation, logging, observers. */
export function frameworkCycle(users: UsersApi): Cycle {
  return async ({ user, patch }) => {
    const created = await users.create(user);
    await users.get(created.id);
    await users.update(created.id, patch);
    await users.list({ page: 1, limit: 10 });
    await users.delete(created.id);
  };
}

/** The same cycle as a test without the framework writes it: status check and `json()` only. */
export function rawCycle(context: APIRequestContext): Cycle {
  return async ({ user, patch }) => {
    const created = (await body(await context.post('users', { data: user }), 201)) as {
      id: string;
    };
    const path = `users/${encodeURIComponent(created.id)}`;
    await body(await context.get(path), 200);
    await body(await context.put(path, { data: patch }), 200);
    await body(await context.get('users', { params: { page: 1, limit: 10 } }), 200);
    await body(await context.delete(path), 200);
  };
}

async function body(response: APIResponse, expected: number): Promise<unknown> {
  if (response.status() !== expected) {
    throw new Error(
      `${response.url()} answered ${response.status()}, expected ${expected}: ${await response.text()}`,
    );
  }
  return response.json();
}
