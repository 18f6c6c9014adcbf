import fs from 'node:fs';
import path from 'node:path';

import type { CallRecord, Refusal } from '../http/api-observer';
import { curlCommand, reproScript } from './curl';
import { harOf } from './har';

export interface ReproInput {
  /** The test, `file › describe › title`. */
  title: string;
  /** What the test reported, as Playwright's errors say it. */
  errors: readonly string[];
  /** The test's calls, in order. */
  calls: readonly CallRecord[];
  baseUrl: string;
  tokenVariable: string | undefined;
  /** The answers the framework's checks refused, and what they wanted instead. */
  refusals?: ReadonlyMap<CallRecord, Refusal>;
}

/** `repro.json`: what `npm run replay` sends again and judges, one entry per call in order. */
export interface ReproDocument {
  version: 1;
  title: string;
  baseUrl: string;
  tokenVariable?: string | undefined;
  calls: {
    method: CallRecord['method'];
    /** Path and query under the API root, as sent: `users/7?x=1`. */
    path: string;
    headers: Record<string, string>;
    body?: string | undefined;
    /** What came back when the test ran. */
    recorded: {
      status?: number | undefined;
      body?: string | undefined;
      contentType?: string | undefined;
    };
    /** What the framework's check wanted, where it refused the answer. */
    refused?: Refusal;
  }[];
}

/** The files of a reproduction, by name: what a failed test leaves under `<output>/repro/`. */
export const REPRO_FILES = {
  document: 'repro.json',
  readme: 'repro.md',
  script: 'requests.sh',
  har: 'calls.har',
} as const;

// eslint-disable-next-line no-control-regex -- the escape sequences are what it removes
const ANSI = /\u001b\[[0-9;]*m/g;

const creator = { name: 'playwright-users-api-tests', version: '0.1.0' };

/** The calls as `npm run replay` reads them. */
export function reproDocument(input: ReproInput): ReproDocument {
  return {
    version: 1,
    title: input.title,
    baseUrl: input.baseUrl,
    tokenVariable: input.tokenVariable,
    calls: input.calls.map((call) => {
      const refused = input.refusals?.get(call);
      return {
        method: call.method,
        path: call.path,
        headers: Object.fromEntries(
          Object.entries(call.request.headers).filter(([n]) => n.toLowerCase() !== 'authorization'),
        ),
        body: call.request.body,
        recorded: {
          status: call.status,
          body: call.response?.body,
          contentType: call.response?.headers['content-type'],
        },
        ...(refused === undefined ? {} : { refused }),
      };
    }),
  };
}

/**
 * Runs of calls (1-based, first and last) that were in flight together when the test ran: the
 * server may have seen them in any order, while `requests.sh` sends them one after another.
 */
export function overlappingRuns(calls: readonly CallRecord[]): [number, number][] {
  const runs: [number, number][] = [];
  let start = 0;
  let end = calls[0] === undefined ? 0 : calls[0].startedAt + calls[0].durationMs;
  for (let i = 1; i <= calls.length; i += 1) {
    const call = calls[i];
    if (call !== undefined && call.startedAt < end) {
      end = Math.max(end, call.startedAt + call.durationMs);
      continue;
    }
    if (i - 1 > start) runs.push([start + 1, i]);
    start = i;
    end = call === undefined ? 0 : call.startedAt + call.durationMs;
  }
  return runs;
}

/** The Markdown that says what was expected, what came back, and how to send it again. */
export function reproMarkdown(input: ReproInput): string {
  const last = input.calls.at(-1);
  const overlaps = overlappingRuns(input.calls);
  const errors = input.errors.map((e) => e.replace(ANSI, '').split('\n').slice(0, 12).join('\n'));
  const rows = input.calls.map(
    (c, i) =>
      `| ${i + 1} | \`${c.method} /${c.path}\` | ${c.status ?? 'no answer'} | ${c.attempts} | ${Math.round(c.durationMs)} |`,
  );
  return [
    `# Reproduction: ${input.title}`,
    '',
    '## What was expected, and what came back',
    '',
    ...errors.flatMap((e) => ['```text', e, '```', '']),
    ...(last === undefined
      ? []
      : [
          `The test's last call, \`${last.method} /${last.path}\`, answered ${last.status ?? `nothing (${last.error ?? 'no response'})`}${last.response === undefined ? '' : `: \`${last.response.body.slice(0, 300).replaceAll('`', "'")}\``}.`,
          '',
        ]),
    '## Send the calls again',
    '',
    '```bash',
    `bash ${REPRO_FILES.script}                     # every call of the test, in order, against ${input.baseUrl}`,
    `API_ROOT=<root> bash ${REPRO_FILES.script}     # the same against another build`,
    'npm run replay -- <this folder> --base-url <root>   # judged: exits 1 while it still fails, 0 once fixed',
    '```',
    '',
    input.tokenVariable === undefined
      ? 'The API took no token.'
      : `The token is read from \`$${input.tokenVariable}\`; it is in no file here.`,
    `\`${REPRO_FILES.har}\` holds the same calls as HAR 1.2 (Chrome's network panel: Import HAR).`,
    '',
    ...overlaps.map(
      ([first, last]) =>
        `Calls ${first}–${last} were in flight together when the test ran, so the server may have taken them in another order than \`${REPRO_FILES.script}\` sends them (one after another): ids it assigns, and lists ordered by them, can differ.`,
    ),
    ...(overlaps.length > 0 ? [''] : []),
    '| # | call | status | attempts | ms | refused by the check |',
    '|---|---|---|---|---|---|',
    ...input.calls.map((c, i) => {
      const refused = input.refusals?.get(c);
      const why =
        refused === undefined
          ? ''
          : refused.reason === 'status'
            ? `wanted ${refused.statuses.join(' or ')}`
            : 'its body';
      return `${rows[i] ?? ''} ${why} |`;
    }),
    '',
    ...(last === undefined
      ? []
      : [
          '## The last call alone',
          '',
          '```bash',
          `API_ROOT=${input.baseUrl}`,
          curlCommand(last, input),
          '```',
          '',
        ]),
  ].join('\n');
}

/**
 * Writes a failed test's reproduction into `dir`: `repro.md`, `requests.sh` (curl, in order) and
 * `calls.har`. Returns the paths, to attach. Nothing in it holds a token: headers name its variable.
 */
export function writeReproBundle(
  dir: string,
  input: ReproInput,
): Record<keyof typeof REPRO_FILES, string> {
  fs.mkdirSync(dir, { recursive: true });
  const at = (file: string) => path.join(dir, file);
  // In the order they were sent: a create whose answer came last (after its reconciling lookup) first.
  input = { ...input, calls: [...input.calls].sort((a, b) => a.startedAt - b.startedAt) };
  fs.writeFileSync(at(REPRO_FILES.readme), reproMarkdown(input));
  fs.writeFileSync(at(REPRO_FILES.document), `${JSON.stringify(reproDocument(input), null, 2)}\n`);
  fs.writeFileSync(at(REPRO_FILES.script), reproScript(input.calls, input), { mode: 0o755 });
  fs.writeFileSync(
    at(REPRO_FILES.har),
    `${JSON.stringify(harOf(input.calls, { tokenVariable: input.tokenVariable, creator }), null, 2)}\n`,
  );
  return {
    document: at(REPRO_FILES.document),
    readme: at(REPRO_FILES.readme),
    script: at(REPRO_FILES.script),
    har: at(REPRO_FILES.har),
  };
}
