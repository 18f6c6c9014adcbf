import type { APIRequestContext } from '@playwright/test';
import { expect, usersPath } from './server-fixture';

/** A user as the API returns it. */
export type ApiUser = Record<string, unknown> & { id: string; createdAt: string };

/** What `GET /__control/state` reports. */
export interface ServerState {
  users: number;
  lastId: string | null;
  duplicateEmails: number;
  requests: number;
  inFlight: number;
  throttled: number;
}

/** Creates a user and insists on 201, returning the stored record. */
export async function createUser(
  request: APIRequestContext,
  fields: Record<string, unknown>,
): Promise<ApiUser> {
  const response = await request.post(usersPath, { data: fields });
  expect(response.status(), `POST ${usersPath} should create the user`).toBe(201);
  return (await response.json()) as ApiUser;
}

/** Creates users one after another, so their ids follow the given order. */
export async function createUsers(
  request: APIRequestContext,
  list: readonly Record<string, unknown>[],
): Promise<ApiUser[]> {
  const created: ApiUser[] = [];
  for (const fields of list) created.push(await createUser(request, fields));
  return created;
}

/** The server's own view of itself, from the control API. */
export async function serverState(request: APIRequestContext): Promise<ServerState> {
  const response = await request.get('/__control/state');
  expect(response.status()).toBe(200);
  return (await response.json()) as ServerState;
}

/** The ids of a list response, in order. */
export function idsOf(users: unknown): string[] {
  return (users as ApiUser[]).map((user) => user.id);
}
