import type { CallRecord, RetryRecord } from '../http/api-observer';

/** Bodies larger than this are cut in attachments, with a note saying so. */
export const MAX_ATTACHMENT_CHARS = 64 * 1024;

/**
 * The step annotation that carries how an operation ended (`201 (5 ms)`). A step's title is fixed
 * when it starts, before the answer is known: the step-title reporter appends this to it when the
 * step ends, so reports read `POST /users → 201 (5 ms)`; the trace shows it as the step's annotation.
 */
export const STEP_RESULT_ANNOTATION = 'api-result';

/** The call's path as shown in reports, without the dangling `?` of an empty query. */
export function displayPath(call: Pick<CallRecord, 'path'>): string {
  return `/${call.path.replace(/\?$/, '')}`;
}

/** How a call ended, as its step title shows it: `201 (23 ms)`, with retries when there were any. */
export function callResult(call: CallRecord): string {
  const outcome = call.status === undefined ? 'no response' : String(call.status);
  const retries = call.attempts > 1 ? `, ${call.attempts} attempts` : '';
  const adopted = call.reconciled ? ', adopted after ambiguous failure' : '';
  return `${outcome} (${call.durationMs} ms${retries}${adopted})`;
}

/** Title of a call's report step: `POST /users → 201 (23 ms)`, with retries when there were any. */
export function stepTitle(call: CallRecord): string {
  return `${call.method} ${displayPath(call)} → ${callResult(call)}`;
}

/**
 * How a wait ended, from its reads: `3 reads: 404 ×2, 200 (64 ms)`, or, when it failed,
 * `failed after 56 reads: 200 ×56 (5004 ms)`. Attempts a read retried count too, in the order they
 * came: `3 reads (6 attempts): 404 ×2, 503 ×3 retried, 200 (120 ms)`.
 */
export function waitResult(
  reads: readonly (Pick<CallRecord, 'status'> & {
    retries?: readonly Pick<RetryRecord, 'outcome'>[];
  })[],
  durationMs: number,
  failed: boolean,
): string {
  const runs: { label: string; retried: boolean; count: number }[] = [];
  const add = (label: string, retried: boolean) => {
    const last = runs.at(-1);
    if (last?.label === label && last.retried === retried) last.count += 1;
    else runs.push({ label, retried, count: 1 });
  };
  let attempts = 0;
  for (const read of reads) {
    for (const retry of read.retries ?? []) add(outcomeLabel(retry.outcome), true);
    add(read.status === undefined ? 'no response' : String(read.status), false);
    attempts += (read.retries?.length ?? 0) + 1;
  }
  const statuses = runs.map(
    ({ label, retried, count }) =>
      `${label}${count === 1 ? '' : ` ×${count}`}${retried ? ' retried' : ''}`,
  );
  const tries = attempts > reads.length ? ` (${attempts} attempts)` : '';
  const count = `${reads.length} read${reads.length === 1 ? '' : 's'}${tries}`;
  const seen = statuses.length === 0 ? '' : `: ${statuses.join(', ')}`;
  return `${failed ? 'failed after ' : ''}${count}${seen} (${durationMs} ms)`;
}

/** What an attempt that was retried ended with, as short as a status: `503`, `timeout`, `ECONNRESET`. */
function outcomeLabel(outcome: RetryRecord['outcome']): string {
  switch (outcome.kind) {
    case 'response':
      return String(outcome.status);
    case 'timeout':
      return 'timeout';
    case 'network':
      return outcome.code;
    case 'fatal':
      return 'error';
  }
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

/** One read of a wait, as a JSON document: the request line, then the response. */
export function readDocument(call: CallRecord): Record<string, unknown> {
  return { request: `${call.method} ${call.request.url}`, ...responseDocument(call) };
}
