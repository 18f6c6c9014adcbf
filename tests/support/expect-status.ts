import { STATUS_CODES } from 'node:http';

import { expect } from '../../lib/fixtures';
import { excerpt } from '../../lib/http/api-errors';

/** Statuses that say the API refused the credentials: they prove nothing about the call itself. */
const AUTH_REFUSALS: readonly number[] = [401, 403];

/** `401 Unauthorized`, `404 Not Found`. */
export const statusLine = (status: number) => `${status} ${STATUS_CODES[status] ?? ''}`.trimEnd();

/**
 * Asserts that a call was answered one of `expected`: the statuses a faithful backend may answer
 * (e.g. 400 or 422 for a body it refuses). A negative test names them instead of "any 4xx" or "no
 * 5xx", so that a 401 or 403 from a wrong token never passes it; the message names the status seen
 * and the body.
 */
export function expectStatusIn(
  call: string,
  response: { status: number; text: string },
  expected: readonly number[],
): void {
  const refusals = expected.filter((status) => AUTH_REFUSALS.includes(status));
  if (refusals.length > 0)
    throw new Error(
      `expectStatusIn(${call}): ${refusals.join(', ')} is an auth refusal, never an expected answer`,
    );
  const { status, text } = response;
  const why = AUTH_REFUSALS.includes(status)
    ? ': the API refused the credentials, which says nothing about this call (check the token)'
    : '';
  expect(
    expected,
    `${call} answered ${statusLine(status)}${why}, expected ${expected.join(' or ')}. Body: ${excerpt(text) || '(empty)'}`,
  ).toContain(status);
}
