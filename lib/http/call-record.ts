import { redactHeaders, redactSecrets } from '../logging/redact';
import type { ApiRequest, ApiResult } from './api-call';
import { type CallRecord, type RetryRecord, routeOf } from './api-observer';

/**
 * What observers get of one call: request and final response as sent and received, secrets masked,
 * its retries, duration and whether a create was reconciled; or why no answer came.
 */
export function callRecord(
  options: { baseUrl: string; headers?: Record<string, string>; secrets?: readonly string[] },
  req: ApiRequest,
  target: string,
  result: ApiResult | undefined,
  retries: readonly RetryRecord[],
  failure?: { error: string; durationMs: number },
): CallRecord {
  const secrets = options.secrets ?? [];
  const requestBody =
    req.rawBody ?? (req.body === undefined ? undefined : JSON.stringify(req.body));
  const durationMs = result?.durationMs ?? failure?.durationMs ?? 0;
  return {
    method: req.method,
    path: target,
    route: routeOf(req.path),
    status: result?.status,
    startedAt: Date.now() - durationMs,
    durationMs,
    attempts: result?.attempts ?? retries.length + 1,
    retries,
    reconciled: result?.reconciled ?? false,
    request: {
      url: `${options.baseUrl}/${target}`,
      // As sent: Playwright adds the JSON content type for an object body itself.
      headers: redactHeaders(
        {
          ...options.headers,
          ...req.headers,
          ...(requestBody === undefined
            ? {}
            : { 'content-type': req.headers?.['content-type'] ?? 'application/json' }),
        },
        secrets,
      ),
      body: requestBody === undefined ? undefined : redactSecrets(requestBody, secrets),
    },
    response:
      result === undefined
        ? undefined
        : {
            headers: redactHeaders(result.headers, secrets),
            body: redactSecrets(result.text, secrets),
          },
    error: failure?.error,
  };
}

/** The path and query a call targets, relative to the API root: `users/7`, `users?page=2`. */
export function targetOf(req: ApiRequest): string {
  const entries = Object.entries(req.params ?? {});
  if (entries.length === 0) return req.path;
  const query = new URLSearchParams(entries.map(([k, v]): [string, string] => [k, String(v)]));
  return `${req.path}?${query.toString()}`;
}
