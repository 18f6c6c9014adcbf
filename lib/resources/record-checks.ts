import type { z } from 'zod';

import type { ApiResult } from '../http/api-call';
import type { ApiClient } from '../http/api-client';
import { parseJson } from '../http/json-body';
import { ApiResponseError, ApiStatusError, excerpt } from '../http/api-errors';
import { parseWithSchema } from '../http/schema-errors';
import type { ApiRecord } from './resource';

/** Fails unless the answer's status is one of `expected`, telling the client which check refused it. */
export function expectStatus(
  client: ApiClient,
  result: ApiResult,
  call: string,
  expected: readonly number[],
): void {
  if (!expected.includes(result.status)) {
    client.refused(result, { statuses: expected, reason: 'status' });
    throw new ApiStatusError(call, result.status, expected, result.text, result.attempts);
  }
}

/**
 * The record in an answer: its status one of `expected`, its body valid against `schema` (named
 * `schemaName` in messages) and, when `id` is given, that very record. A body that fails is refused.
 */
export function expectRecord<R extends ApiRecord>(
  client: ApiClient,
  schema: z.ZodType<R>,
  schemaName: string,
  result: ApiResult,
  call: string,
  expected: readonly number[],
  id?: string,
): R {
  expectStatus(client, result, call, expected);
  // The status was one it expects, the body was not: any of those statuses with a good body passes.
  const refuseBody = () => {
    client.refused(result, { statuses: expected, reason: 'body' });
  };
  let record: R;
  try {
    record = parseWithSchema(schema, parseJson(call, result), {
      call,
      schemaName,
      body: result.text,
    });
  } catch (error) {
    refuseBody();
    throw error;
  }
  if (id !== undefined && record.id !== id) {
    refuseBody();
    throw new ApiResponseError(
      `${call} answered the record with id "${record.id}", expected id "${id}". Body: ${excerpt(result.text)}`,
      call,
    );
  }
  return record;
}
