import { parseArgs } from 'node:util';

import { request } from '@playwright/test';

import { type EnvironmentName, isConfigured } from '../lib/config/environment';
import { localBaseUrl, runSettings } from '../lib/config/run-settings';
import { ApiError } from '../lib/http/api-errors';
import { parseJson } from '../lib/http/json-body';
import { createLogger } from '../lib/logging/logger';
import {
  type CallVerdict,
  idOf,
  IdOrdinals,
  judgeAnswer,
  readRepro,
  ReproReadError,
  replayExitCode,
  substituteIds,
} from '../lib/repro/replay';
import { requestContextOptions } from '../lib/session/request-context';
import { openSession } from '../lib/session/session';
import {
  asSetupError,
  type CommandLine,
  embeddedTarget,
  environmentFlag,
  environmentTarget,
  loadContract,
  requireWrites,
  runCommand,
  SetupError,
  type Target,
} from './support/cli';

/** Where `npm run mock-server` and `npx playwright test` serve the embedded server. */
const EMBEDDED_SERVER_URL = localBaseUrl(runSettings().localPort);

export const HELP = `Usage: npm run replay -- <failed test's folder | repro.json | file.har> [--env NAME | --base-url URL]

Sends a failed test's calls again, in order, and says of each whether it answers as the test
expected: "same", "fixed" (a check refused it when the test ran; it passes now), "failing" (it still
does not), or "differs" (an answer the test had accepted changed). An id a create is given replaces
the recorded one in the later calls. What the replay creates, it deletes at the end.

  --env NAME       the environment to send to (reads <NAME>_BASE_URL, <NAME>_API_TOKEN, ... from
                   the shell or .env, with its pacing and production guard); default local, the
                   embedded server on 127.0.0.1:4010 unless LOCAL_BASE_URL is set
  --base-url URL   an API root to send to instead, e.g. a developer's build on http://127.0.0.1:3000/api/v1
  --help, -h       print this help and exit

Exit codes: 0 the defect no longer reproduces, 1 it still does, 2 bad usage, configuration or an
unreachable API.`;

export interface ReplayOptions {
  source: string;
  environment: EnvironmentName;
  baseUrl: string | undefined;
}

/** Where a replay's lines go: stdout for the command. */
export type Out = (line: string) => void;

function parseCommandLine(argv: readonly string[]): CommandLine<ReplayOptions> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        env: { type: 'string' },
        'base-url': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: true,
    });
  } catch (error) {
    return { kind: 'error', message: (error as Error).message.split('\n')[0] ?? '' };
  }
  const { values, positionals } = parsed;
  if (values.help === true) return { kind: 'help', text: HELP };
  if (positionals.length !== 1)
    return { kind: 'error', message: 'name one failed test folder, repro.json or .har file' };
  const environment = environmentFlag(values.env) ?? 'local';
  if (typeof environment === 'object') return { kind: 'error', message: environment.error };
  if (values['base-url'] !== undefined && values.env !== undefined)
    return { kind: 'error', message: '--env and --base-url name two targets: pick one' };
  return {
    kind: 'run',
    options: { source: positionals[0] ?? '', environment, baseUrl: values['base-url'] },
  };
}

function targetOf(options: ReplayOptions): Target {
  if (options.baseUrl !== undefined) return embeddedTarget(options.baseUrl);
  if (options.environment === 'local' && !isConfigured('local'))
    return embeddedTarget(EMBEDDED_SERVER_URL);
  return environmentTarget(options.environment);
}

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * `npm run replay`: re-sends a failed test's calls and says whether its defect still reproduces;
 * resolves with the command's exit code, 0 or 1. A problem with the set-up (no reproduction there,
 * an unreachable API, a refused token) throws a {@link SetupError}.
 */
export async function replay(options: ReplayOptions, out: Out): Promise<number> {
  let repro;
  try {
    repro = readRepro(options.source);
  } catch (error) {
    if (error instanceof ReproReadError) throw new SetupError(error.message);
    throw error;
  }
  const target = targetOf(options);
  const { environment } = target;
  if (repro.calls.some((c) => WRITES.has(c.method)))
    requireWrites(target, `the replay of "${repro.title}" writes`);
  const tokenVariable = `${target.variablePrefix ?? 'LOCAL'}_API_TOKEN`;
  out(`replaying ${repro.calls.length} call(s) of ${repro.title} against ${environment.baseUrl}`);

  const context = await request.newContext(requestContextOptions(environment));
  const ids = new Map<string, string>();
  const created: string[] = [];
  const deleted = new Set<string>();
  const verdicts: CallVerdict[] = [];
  const anyRefused = repro.calls.some((c) => c.refused !== undefined);
  const ordinals = { recorded: new IdOrdinals(), replayed: new IdOrdinals() };
  try {
    // Pacing and the production guard come with the environment's client; the contract checks
    // each answer as the suite would.
    const contract = await loadContract(environment);
    const { client } = openSession(environment, {
      request: context,
      logger: createLogger({ level: 'silent' }),
      contract,
    });
    for (const [i, call] of repro.calls.entries()) {
      const sent = substituteIds(call.path, ids);
      const [path = '', query] = sent.split(/\?(.*)/s);
      const headers = Object.fromEntries(
        Object.entries(call.headers).filter(([name]) => name.toLowerCase() !== 'idempotency-key'),
      );
      let answer: {
        status: number | undefined;
        body: string | undefined;
        contentType?: string | undefined;
        contractError?: string;
      };
      try {
        const result = await client.call(
          {
            method: call.method,
            path,
            ...(query === undefined
              ? {}
              : { params: Object.fromEntries(new URLSearchParams(query)) }),
            headers,
            ...(call.body === undefined ? {} : { rawBody: call.body }),
          },
          (result) => result,
        );
        answer = {
          status: result.status,
          body: result.text,
          contentType: result.headers['content-type'],
        };
        // A body a check refused must be JSON under a JSON content type before it can pass.
        if (call.refused?.reason === 'body') {
          try {
            parseJson(`${call.method} /${sent}`, result);
          } catch (error) {
            answer.contractError = (error as Error).message.split('\n')[0] ?? '';
          }
        }
      } catch (error) {
        const setup = asSetupError(error, target);
        if (setup !== undefined) throw setup;
        const message =
          error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
        const status =
          error instanceof ApiError ? /answered (\d{3})/.exec(message)?.[1] : undefined;
        answer = {
          status: status === undefined ? undefined : Number(status),
          body: undefined,
          contractError: message,
        };
      }
      if (answer.status === 401 || answer.status === 403)
        throw new SetupError(
          `${environment.baseUrl} refused the token (${answer.status}): check ${tokenVariable}`,
        );
      const newId = call.method === 'POST' ? idOf(answer.body) : undefined;
      const oldId = call.method === 'POST' ? idOf(call.recorded.body) : undefined;
      if (newId !== undefined) {
        if (oldId !== undefined) ids.set(oldId, newId);
        created.push(`${path}/${newId}`);
      }
      if (call.method === 'DELETE' && answer.status !== undefined && answer.status < 300)
        deleted.add(path);
      const verdict = judgeAnswer(call, answer, {
        last: i === repro.calls.length - 1,
        anyRefused,
        ids: ordinals,
      });
      verdicts.push(verdict);
      out(`${i + 1}. ${call.method} /${sent}: ${verdict.verdict}, ${verdict.detail}`);
    }
    // What the replay made goes again, children (longer paths) first.
    for (const record of created.filter((p) => !deleted.has(p)).sort((a, b) => b.length - a.length))
      await client.call({ method: 'DELETE', path: record }, () => undefined).catch(() => undefined);
  } finally {
    await context.dispose();
  }
  const code = replayExitCode(verdicts);
  out(
    code === 0
      ? 'the defect no longer reproduces'
      : `the defect still reproduces: ${verdicts.filter((v) => v.verdict === 'failing').length} call(s) still fail`,
  );
  return code;
}

/**
 * {@link replay} with its set-up problems named for the target (an unreachable API, a refused
 * token): what the command runs, and what the sensitivity check proves reproductions with.
 */
export async function replayJudged(options: ReplayOptions, out: Out): Promise<number> {
  try {
    return await replay(options, out);
  } catch (error) {
    const setup = asSetupError(error, targetOf(options));
    if (setup !== undefined) throw setup;
    throw error;
  }
}

if (require.main === module)
  runCommand('replay', parseCommandLine, (options) =>
    replayJudged(options, (line) => process.stdout.write(`${line}\n`)),
  );
