import { setTimeout as sleep } from 'node:timers/promises';

import { type APIRequestContext, request as playwrightRequest } from '@playwright/test';

import { ConfigError, type EnvironmentConfig } from './config/environment';
import { configuredSecrets } from './config/secrets';
import { excerpt } from './http/api-errors';
import {
  type AttemptOutcome,
  classifyRequestError,
  decideRetry,
  DEFAULT_RETRY_POLICY,
  type RetryPolicy,
} from './http/retry-policy';
import { redactSecrets } from './logging/redact';
import { describeEmbeddedFailure, type ProbeEnd, type ProbeResult } from './preflight-embedded';
import type { Resource } from './resources/resource';
import { requestContextOptions } from './session/request-context';

/**
 * How the preflight probe retries, as data: a 503 or 429 may pass within a second or two, so a few
 * quick attempts; a budget as long as one timeout, so a host that does not answer is tried once and
 * a broken environment stops the run in seconds.
 */
export const PREFLIGHT_POLICY: RetryPolicy = {
  ...DEFAULT_RETRY_POLICY,
  attempts: 4,
  baseDelayMs: 250,
  maxDelayMs: 1_000,
  maxRetryAfterMs: 3_000,
  budgetMs: 5_000,
  jitter: false,
};

/**
 * The probe's policy for one environment: {@link PREFLIGHT_POLICY}, with as many attempts as the
 * suite's own calls get on the embedded servers, within the same budget. `local-faults` answers 20%
 * of requests 503 on purpose: four attempts would stop a good run once in 600, ten once in 10^7.
 */
export function preflightPolicy(
  environment: Pick<EnvironmentConfig, 'name' | 'retry'>,
): RetryPolicy {
  return environment.name === 'local'
    ? {
        ...PREFLIGHT_POLICY,
        attempts: Math.max(PREFLIGHT_POLICY.attempts, environment.retry.attempts),
      }
    : PREFLIGHT_POLICY;
}

/** Longest wait for one answer to the probe; the environment's own timeout when that is shorter. */
export const PREFLIGHT_TIMEOUT_MS = 5_000;

export type { ProbeEnd, ProbeResult };

/** A broken environment, found before the suite: one line naming the variable to fix. */
export class PreflightError extends ConfigError {
  constructor(message: string) {
    super(message);
    // Playwright prints a global setup's error as `<name>: <message>` and its stack: the line alone
    // says it all, and frames of the setup would only bury it.
    this.name = '';
    this.stack = message;
  }
}

/** The collection the probe reads: the suite's first top-level resource (`users`). */
export function probedCollection(resources: readonly Resource[]): Resource {
  const top = resources.find((r) => r.parentParams.length === 0);
  if (top === undefined) throw new Error('the suite declares no top-level resource to probe');
  return top;
}

/**
 * Whether an answer is the API root's collection (`ok`: a JSON list), or why not. The bare
 * collection is probed because mockapi.io answers an empty *filtered* query with 404 "Not found",
 * while the collection itself answers 200 with an array, possibly empty.
 */
export function judgeAnswer(answer: {
  status: number;
  contentType: string | undefined;
  body: string;
}): 'ok' | 'status' | 'html' | 'not-json' | 'not-a-list' {
  if (answer.status < 200 || answer.status >= 300) return 'status';
  const trimmed = answer.body.trimStart();
  if (/\bhtml\b/i.test(answer.contentType ?? '') || trimmed.startsWith('<')) return 'html';
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.body);
  } catch {
    return 'not-json';
  }
  return Array.isArray(parsed) ? 'ok' : 'not-a-list';
}

const EXAMPLE_ROOT = 'e.g. https://<id>.mockapi.io/api/v1';

/**
 * The one line a failed probe stops the run with: the variable and its value, what went wrong,
 * and what to check. Never the token's value.
 */
export function describeProbeFailure(
  environment: Pick<EnvironmentConfig, 'name' | 'baseUrl' | 'tokenVariable'>,
  collection: string,
  result: ProbeResult,
): string {
  const prefix = environment.name.toUpperCase();
  const variable = `${prefix}_BASE_URL`;
  const tokenVariable = `${prefix}_API_TOKEN`;
  const where = `${variable}=${environment.baseUrl}`;
  const call = `GET /${collection}`;
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const root = `${variable} must be the API root that holds /${collection}, ${EXAMPLE_ROOT}`;
  const { end } = result;

  if (end.kind === 'error') {
    const { outcome, message } = end;
    const host = hostOf(environment.baseUrl);
    if (outcome.kind === 'timeout')
      return `${where}: ${call} got no answer within ${seconds(result.elapsedMs)} — is the API up? Check ${variable}.`;
    if (/\bENOTFOUND\b/.test(message))
      return `${where}: host ${host} not found (DNS) — check the host name in ${variable}.`;
    if (outcome.kind === 'network' && outcome.code === 'ECONNREFUSED')
      return `${where}: connection refused — is the API running? Check ${variable}.`;
    if (outcome.kind === 'network')
      return `${where}: ${NETWORK[outcome.code] ?? 'network error'} (${outcome.code}) — check the network, and the host, port and scheme in ${variable}.`;
    if (TLS_PROBLEM.test(message))
      return `${where}: TLS error (${tlsProblem(message)}) — check the scheme (http or https), host and port in ${variable}, and the server's certificate.`;
    return `${where}: ${call} failed (${shortError(message)}) — check ${variable}.`;
  }

  const answered = `${call} answered ${end.status}`;
  switch (judgeAnswer(end)) {
    case 'html':
      return `${where}: ${answered} with an HTML page, not JSON — ${root}.`;
    case 'not-json':
      return `${where}: ${answered} with a body that is not JSON (${end.contentType ?? 'no content type'}: ${excerpt(end.body, 60) || 'empty'}) — ${root}.`;
    case 'not-a-list':
      return `${where}: ${answered} with JSON that is not a list (${excerpt(end.body, 60)}) — ${root}.`;
    case 'ok':
    case 'status':
      break;
  }
  if (end.status === 401 || end.status === 403) {
    const fix =
      environment.tokenVariable === undefined
        ? `the API wants a token: set ${tokenVariable}`
        : `the token was refused: check ${tokenVariable}`;
    return `${where}: ${answered} — ${fix}.`;
  }
  if (end.status === 404) return `${where}: ${answered} — no /${collection} there: ${root}.`;
  const times =
    result.attempts > 1 ? ` ${result.attempts} times in ${seconds(result.elapsedMs)}` : '';
  if (end.status === 429) {
    const retryAfter = end.retryAfter === undefined ? '' : `, Retry-After: ${end.retryAfter}`;
    return `${where}: ${answered} (rate limited${retryAfter})${times} — wait and run again, or lower ${prefix}_RATE_LIMIT_RPS.`;
  }
  if (end.status >= 500)
    return `${where}: ${answered}${times} — the API is failing: try again later, or check ${variable}.`;
  return `${where}: ${answered}, expected 200 with a JSON list (${excerpt(end.body, 60) || 'empty body'}) — check ${variable}.`;
}

const NETWORK: Record<string, string> = {
  ECONNRESET: 'the connection was reset',
  EPIPE: 'the connection was closed',
  ECONNABORTED: 'the connection was aborted',
  EAI_AGAIN: 'host name lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
};

const TLS_PROBLEM =
  /\b(SSL|TLS|EPROTO|CERT_|ERR_TLS|certificate|self[- ]signed|wrong version number|altnames)\b/i;

/** Playwright's error as a short phrase: its first line, without `apiRequestContext.fetch: `. */
function shortError(message: string): string {
  const first = (message.split('\n')[0] ?? message).replace(/^apiRequestContext\.\w+:\s*/, '');
  return excerpt(first, 120);
}

/** OpenSSL's reason (`wrong version number`) or Node's certificate message, without the codes around it. */
function tlsProblem(message: string): string {
  return (
    /SSL routines:[^:\n]*:([^:\n]+)/.exec(message)?.[1]?.trim() ?? excerpt(shortError(message), 80)
  );
}

function hostOf(baseUrl: string): string {
  try {
    return new URL(baseUrl).host;
  } catch {
    return baseUrl;
  }
}

/**
 * Reads `<root>/<collection>` once, retrying briefly as {@link PREFLIGHT_POLICY} says, and returns
 * the last answer, or undefined when it was a JSON list.
 */
export async function probeEnvironment(
  request: Pick<APIRequestContext, 'fetch'>,
  environment: Pick<EnvironmentConfig, 'timeoutMs'>,
  collection: string,
  options: { policy?: RetryPolicy; wait?: (ms: number) => Promise<unknown> } = {},
): Promise<ProbeResult | undefined> {
  const policy = options.policy ?? PREFLIGHT_POLICY;
  const wait = options.wait ?? sleep;
  const timeout = Math.min(environment.timeoutMs, PREFLIGHT_TIMEOUT_MS);
  const started = performance.now();
  for (let attempt = 1; ; attempt += 1) {
    let end: ProbeEnd;
    let outcome: AttemptOutcome;
    try {
      const response = await request.fetch(collection, { method: 'GET', timeout });
      const responseHeaders = response.headers();
      const status = response.status();
      const retryAfter = responseHeaders['retry-after'];
      const contentType = responseHeaders['content-type'];
      end = { kind: 'answer', status, contentType, body: await response.text(), retryAfter };
      if (judgeAnswer(end) === 'ok') return undefined;
      outcome = { kind: 'response', status, retryAfter };
    } catch (error) {
      outcome = classifyRequestError(error);
      end = {
        kind: 'error',
        outcome,
        message: error instanceof Error ? error.message : String(error),
      };
    }
    const elapsedMs = performance.now() - started;
    const decision = decideRetry(outcome, attempt, elapsedMs, policy);
    if (!decision.retry) return { end, attempts: attempt, elapsedMs };
    await wait(decision.delayMs);
  }
}

/** One project to probe: its name (`local-faults`) and its environment (`local`, on its own server). */
export interface PreflightTarget {
  project: string;
  environment: EnvironmentConfig;
}

/**
 * Probes each target's API root before the suite runs, the embedded servers too (Playwright's
 * webServer checks only that they are up, not that they take the suite's token), and throws one
 * PreflightError with one line per problem, so a wrong URL or token stops the run in seconds
 * instead of failing every test. Projects that fail alike share a line (`local, local-faults: …`).
 */
export async function preflight(
  targets: readonly PreflightTarget[],
  resources: readonly Resource[],
): Promise<void> {
  const collection = probedCollection(resources).path;
  const problems = await Promise.all(
    targets.map(async ({ project, environment }) => {
      const context = await playwrightRequest.newContext(requestContextOptions(environment));
      try {
        const result = await probeEnvironment(context, environment, collection, {
          policy: preflightPolicy(environment),
        });
        if (result === undefined) return undefined;
        const line =
          environment.name === 'local'
            ? describeEmbeddedFailure(environment, collection, result)
            : describeProbeFailure(environment, collection, result);
        // The line quotes the server's answer, which may echo a configured secret.
        return {
          project,
          line: redactSecrets(line, configuredSecrets()),
          embedded: environment.name === 'local',
        };
      } finally {
        await context.dispose();
      }
    }),
  );
  const lines = new Map<string, string[]>();
  for (const problem of problems) {
    if (problem === undefined) continue;
    lines.set(problem.line, [
      ...(lines.get(problem.line) ?? []),
      ...(problem.embedded ? [problem.project] : []),
    ]);
  }
  if (lines.size > 0)
    throw new PreflightError(
      [...lines]
        .map(([line, projects]) =>
          projects.length === 0 ? line : `${projects.join(', ')}: ${line}`,
        )
        .join('\n'),
    );
}

/** The environments of projects (the selected ones: `config.filteredProjects`), as they configure them. */
export function projectEnvironments(projects: readonly { use: object }[]): EnvironmentConfig[] {
  return projectTargets(projects).map((target) => target.environment);
}

/** The projects to probe among the selected ones: every one with an environment, each server once. */
export function preflightTargets(
  projects: readonly { name?: string; use: object }[],
): PreflightTarget[] {
  const targets = projectTargets(projects);
  return [
    ...new Map(targets.map((t) => [`${t.environment.name} ${t.environment.baseUrl}`, t])).values(),
  ];
}

function projectTargets(projects: readonly { name?: string; use: object }[]): PreflightTarget[] {
  return projects.flatMap(({ name, use }) => {
    if (!('environment' in use)) return [];
    const environment = use.environment as EnvironmentConfig;
    return [{ project: name ?? environment.name, environment }];
  });
}
