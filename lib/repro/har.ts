import type { CallRecord } from '../http/api-observer';

type NameValue = { name: string; value: string };

const pairs = (record: Record<string, string>): NameValue[] =>
  Object.entries(record).map(([name, value]) => ({ name, value }));

function queryOf(url: string): NameValue[] {
  try {
    return [...new URL(url).searchParams].map(([name, value]) => ({ name, value }));
  } catch {
    return [];
  }
}

/** A HAR 1.2 entry: one send of a call. */
function entry(
  call: CallRecord,
  options: { tokenVariable: string | undefined },
  send: {
    startedAt: Date;
    timeMs: number;
    status: number;
    response: CallRecord['response'];
    comment?: string;
  },
): Record<string, unknown> {
  const headers = pairs(call.request.headers);
  if (options.tokenVariable !== undefined)
    headers.push({ name: 'authorization', value: `Bearer \${${options.tokenVariable}}` });
  const body = send.response?.body ?? '';
  const mimeType = send.response?.headers['content-type'] ?? 'application/octet-stream';
  return {
    startedDateTime: send.startedAt.toISOString(),
    time: send.timeMs,
    request: {
      method: call.method,
      url: call.request.url,
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers,
      queryString: queryOf(call.request.url),
      ...(call.request.body === undefined
        ? {}
        : {
            postData: {
              mimeType: call.request.headers['content-type'] ?? 'application/json',
              text: call.request.body,
            },
          }),
      headersSize: -1,
      bodySize: call.request.body === undefined ? 0 : Buffer.byteLength(call.request.body),
    },
    response: {
      status: send.status,
      statusText: '',
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: pairs(send.response?.headers ?? {}),
      content: { size: Buffer.byteLength(body), mimeType, text: body },
      redirectURL: '',
      headersSize: -1,
      bodySize: send.response === undefined ? -1 : Buffer.byteLength(body),
    },
    cache: {},
    timings: { send: 0, wait: send.timeMs, receive: 0 },
    ...(send.comment === undefined ? {} : { comment: send.comment }),
  };
}

/**
 * A HAR 1.2 log of a test's calls, as Chrome's network panel and HAR analysers read it: one entry
 * per send, a retried call's earlier attempts first (their status, or 0 for no answer, and the
 * reason in the comment; the client keeps no body of a retried answer), the token as its variable.
 */
export function harOf(
  calls: readonly CallRecord[],
  options: { tokenVariable: string | undefined; creator: { name: string; version: string } },
): Record<string, unknown> {
  const entries = calls.flatMap((call) => {
    const startedAt = new Date(call.startedAt);
    const retried = call.retries.map((retry) =>
      entry(call, options, {
        startedAt,
        timeMs: 0,
        status: retry.outcome.kind === 'response' ? retry.outcome.status : 0,
        response: undefined,
        comment: `attempt ${retry.attempt}, retried after ${retry.delayMs} ms: ${retry.reason}`,
      }),
    );
    const final = entry(call, options, {
      startedAt,
      timeMs: call.durationMs,
      status: call.status ?? 0,
      response: call.response,
      ...(call.error === undefined ? {} : { comment: call.error }),
    });
    return [...retried, final];
  });
  return { log: { version: '1.2', creator: options.creator, pages: [], entries } };
}
