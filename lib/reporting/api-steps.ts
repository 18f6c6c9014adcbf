import type { TestInfo } from '@playwright/test';
import { test } from '@playwright/test';

import type { ApiObserver, CallRecord, RetryRecord } from '../http/api-observer';

/** Bodies larger than this are cut in attachments, with a note saying so. */
export const MAX_ATTACHMENT_CHARS = 64 * 1024;

/** Title of a call's report step: `POST /users → 201 (23 ms)`, with retries when there were any. */
export function stepTitle(call: CallRecord): string {
  const outcome = call.status === undefined ? 'no response' : String(call.status);
  const retries = call.attempts > 1 ? `, ${call.attempts} attempts` : '';
  const adopted = call.reconciled ? ', adopted after ambiguous failure' : '';
  return `${call.method} /${call.path} → ${outcome} (${call.durationMs} ms${retries}${adopted})`;
}

/** Pretty-prints JSON bodies and cuts large ones. */
export function formatBody(body: string): string {
  let text = body;
  try {
    text = JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    // not JSON: attach as sent
  }
  if (text.length <= MAX_ATTACHMENT_CHARS) return text;
  return `${text.slice(0, MAX_ATTACHMENT_CHARS)}\n… truncated: ${text.length - MAX_ATTACHMENT_CHARS} more characters not shown`;
}

/** The request and response of a call as one readable text (headers already redacted). */
export function formatExchange(call: CallRecord): string {
  const lines = [`${call.method} ${call.request.url}`];
  for (const [name, value] of Object.entries(call.request.headers)) lines.push(`${name}: ${value}`);
  if (call.request.body !== undefined) lines.push('', formatBody(call.request.body));
  lines.push('', '---', '');
  if (call.response === undefined) {
    lines.push(call.error ?? 'no response');
  } else {
    lines.push(`HTTP ${call.status ?? '?'} (${call.durationMs} ms, attempt ${call.attempts})`);
    for (const [name, value] of Object.entries(call.response.headers))
      lines.push(`${name}: ${value}`);
    lines.push('', formatBody(call.response.body));
  }
  for (const retry of call.retries)
    lines.push(`retry: attempt ${retry.attempt} ${retry.reason}, waited ${retry.delayMs} ms`);
  return lines.join('\n');
}

export const API_CALLS_ATTACHMENT = 'api-calls.json';

/**
 * Records each call on the running test: a step titled with method, path, status and time holding
 * the exchange, an annotation per retry, and the call list for the end-of-run health summary.
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
      calls.push({ ...call, request: { ...call.request, body: undefined }, response: undefined });
      await test.step(
        stepTitle(call),
        async (step) => {
          await step.attach(`${call.method} /${call.route}`, {
            body: formatExchange(call),
            contentType: 'text/plain',
          });
        },
        { box: true },
      );
    },
  };
}
