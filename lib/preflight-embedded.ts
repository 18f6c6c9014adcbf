import type { EnvironmentConfig } from './config/environment';
import { excerpt } from './http/api-errors';
import type { AttemptOutcome } from './http/retry-policy';

/** A probe's last answer, or why there was none. */
export type ProbeEnd =
  | {
      kind: 'answer';
      status: number;
      contentType: string | undefined;
      body: string;
      retryAfter?: string | undefined;
    }
  | { kind: 'error'; outcome: AttemptOutcome; message: string };

/** Everything the message needs about one probe. */
export interface ProbeResult {
  end: ProbeEnd;
  attempts: number;
  elapsedMs: number;
}

/**
 * Why the probe of an embedded server (`local`, `local-faults`) failed, as the rest of the one line
 * after the project's name. Playwright's webServer has checked that the server is up, so what is
 * left is mostly the token: the server's `--token` comes from `MOCK_TOKEN`, the suite sends
 * `LOCAL_API_TOKEN`. Names the variables, never their values; never `LOCAL_BASE_URL`, which nobody
 * sets (the config builds it from `LOCAL_PORT`).
 */
export function describeEmbeddedFailure(
  environment: Pick<EnvironmentConfig, 'baseUrl' | 'tokenVariable'>,
  collection: string,
  result: ProbeResult,
): string {
  const { end } = result;
  const server = `the embedded server at ${environment.baseUrl}`;
  const call = `GET /${collection}`;
  const skip = 'see the [WebServer] lines above, or set PREFLIGHT=off to run anyway';
  if (end.kind === 'error')
    return `${call} on ${server} failed (${firstLine(end.message)}) — ${skip}.`;
  if (end.status === 401 || end.status === 403)
    return environment.tokenVariable === undefined
      ? `the embedded server wants a token (${end.status}): set LOCAL_API_TOKEN to its MOCK_TOKEN, or unset MOCK_TOKEN`
      : `the token was refused (${end.status}): LOCAL_API_TOKEN must match the embedded server's MOCK_TOKEN`;
  const times =
    result.attempts > 1
      ? ` ${result.attempts} times in ${(result.elapsedMs / 1000).toFixed(1)} s`
      : '';
  return `${call} on ${server} answered ${end.status}${times}, expected 200 with a JSON list (${excerpt(end.body, 60) || 'empty body'}) — ${skip}.`;
}

function firstLine(message: string): string {
  const first = (message.split('\n')[0] ?? message).replace(/^apiRequestContext\.\w+:\s*/, '');
  return excerpt(first, 120);
}
