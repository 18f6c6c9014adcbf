import type { HttpClient } from './inject-client';
import { expect, usersPath } from './server-fixture';

/** A record as the API returns it. */
export type ApiRecord = Record<string, unknown> & { id: string; createdAt: string };

/** A user as the API returns it. */
export type ApiUser = ApiRecord;

/** What `GET /__control/state` reports about one resource. */
export interface ResourceState {
  records: number;
  lastId: string | null;
  duplicateEmails: number;
}

/** What `GET /__control/state` reports. */
export interface ServerState {
  users: number;
  lastId: string | null;
  duplicateEmails: number;
  requests: number;
  inFlight: number;
  throttled: number;
  resources: Record<string, ResourceState>;
}

/** Creates a record in the collection at `path` and insists on 201, returning it. */
export async function createRecord(
  api: HttpClient,
  path: string,
  fields: Record<string, unknown>,
): Promise<ApiRecord> {
  const response = await api.post(path, { data: fields });
  expect(response.status(), `POST ${path} should create the record`).toBe(201);
  return (await response.json()) as ApiRecord;
}

/** Creates a user and insists on 201, returning the stored record. */
export function createUser(api: HttpClient, fields: Record<string, unknown>): Promise<ApiUser> {
  return createRecord(api, usersPath, fields);
}

/** Creates users one after another, so their ids follow the given order. */
export async function createUsers(
  api: HttpClient,
  list: readonly Record<string, unknown>[],
): Promise<ApiUser[]> {
  const created: ApiUser[] = [];
  for (const fields of list) created.push(await createUser(api, fields));
  return created;
}

/** The server's own view of itself, from the control API. */
export async function serverState(api: HttpClient): Promise<ServerState> {
  const response = await api.get('/__control/state');
  expect(response.status()).toBe(200);
  return (await response.json()) as ServerState;
}

/** The ids of a list response, in order. */
export function idsOf(records: unknown): string[] {
  return (records as ApiRecord[]).map((record) => record.id);
}

/** Defines a scenario through the control API and insists it was accepted. */
export async function defineScenario(
  api: HttpClient,
  id: string,
  rules: Record<string, unknown>[],
): Promise<void> {
  const response = await api.put(`/__control/scenarios/${id}`, { data: { rules } });
  expect(response.status(), await response.text()).toBe(200);
}
