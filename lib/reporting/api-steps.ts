import type { TestInfo } from '@playwright/test';
import { test } from '@playwright/test';

import type { ApiObserver, CallRecord, RetryRecord } from '../http/api-observer';

/** Bodies larger than this are cut in attachments, with a note saying so. */
export const MAX_ATTACHMENT_CHARS = 64 * 1024;

/** The call's path as shown in reports, without the dangling `?` of an empty query. */
export function displayPath(call: Pick<CallRecord, 'path'>): string {
  return `/${call.path.replace(/\?$/, '')}`;
}

/** Title of a call's report step: `POST /users → 201 (23 ms)`, with retries when there were any. */
export function stepTitle(call: CallRecord): string {
  const outcome = call.status === undefined ? 'no response' : String(call.status);
  const retries = call.attempts > 1 ? `, ${call.attempts} attempts` : '';
  const adopted = call.reconciled ? ', adopted after ambiguous failure' : '';
  return `${call.method} ${displayPath(call)} → ${outcome} (${call.durationMs} ms${retries}${adopted})`;
}

/** A body for a JSON attachment: parsed when it is JSON, the text otherwise, cut with a note when large. */
function bodyForJson(body: string): { body: unknown; note?: string } {
  if (body.length > MAX_ATTACHMENT_CHARS) {
    return {
      body: body.slice(0, MAX_ATTACHMENT_CHARS),
      note: `truncated: ${body.length - MAX_ATTACHMENT_CHARS} more characters not shown`,
    };
  }
  try {
    return { body: JSON.parse(body) as unknown };
  } catch {
    return { body };
  }
}

/** The request of a call as a JSON document (headers already redacted by the client). */
export function requestDocument(call: CallRecord): Record<string, unknown> {
  const { body, note } =
    call.request.body === undefined
      ? { body: undefined, note: undefined }
      : bodyForJson(call.request.body);
  return {
    method: call.method,
    url: call.request.url,
    headers: call.request.headers,
    ...(body === undefined ? {} : { body }),
    ...(note === undefined ? {} : { note }),
  };
}

/** The final response of a call (or why there was none) and its retries, as a JSON document. */
export function responseDocument(call: CallRecord): Record<string, unknown> {
  const retries = call.retries.map(
    (r) => `attempt ${r.attempt}: ${r.reason}, retried after ${r.delayMs} ms`,
  );
  const timing = { durationMs: call.durationMs, attempts: call.attempts, retries };
  if (call.response === undefined) return { error: call.error ?? 'no response', ...timing };
  const { body, note } = bodyForJson(call.response.body);
  return {
    status: call.status,
    ...timing,
    ...(call.reconciled ? { reconciled: 'adopted from a lookup after an ambiguous failure' } : {}),
    headers: call.response.headers,
    body,
    ...(note === undefined ? {} : { note }),
  };
}

export const API_CALLS_ATTACHMENT = 'api-calls.json';

/**
 * Records each call on the running test: a step titled with method, path, status and time holding
 * request and response JSON attachments (Allure and the HTML report show them under the step),
 * an annotation per retry, and the call list for the end-of-run health summary.
 */
export function testInfoObserver(testInfo: TestInfo): ApiObserver & { calls: CallRecord[] } {
  const calls: CallRecord[] = [];
  return {
    calls,
    onRetry(retry: RetryRecord) {
      testInfo.annotations.push({
        type: 'api-retry',
        description: `${retry.call}: ${retry.reason} on attempt ${retry.attempt}, retried after ${retry.delayMs} ms`,
      });
    },
    async onCall(call: CallRecord) {
      if (call.reconciled) {
        testInfo.annotations.push({
          type: 'api-reconciled',
          description: `${call.method} /${call.path}: failed ambiguously, but the server had acted; its result was adopted`,
        });
      }
      calls.push({ ...call, request: { ...call.request, body: undefined }, response: undefined });
      await test.step(
        stepTitle(call),
        async (step) => {
          // Named for the call too: the HTML report also lists every attachment flat under the test.
          await step.attach(`${call.method} ${displayPath(call)} · request`, {
            body: JSON.stringify(requestDocument(call), null, 2),
            contentType: 'application/json',
          });
          await step.attach(`${call.method} ${displayPath(call)} · response`, {
            body: JSON.stringify(responseDocument(call), null, 2),
            contentType: 'application/json',
          });
        },
        { box: true },
      );
    },
  };
}
