import fs from 'node:fs';
import path from 'node:path';

import type { CallRecord } from '../http/api-observer';
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
}

/** The files of a reproduction, by name: what a failed test leaves under `<output>/repro/`. */
export const REPRO_FILES = {
  readme: 'repro.md',
  script: 'requests.sh',
  har: 'calls.har',
} as const;

// eslint-disable-next-line no-control-regex -- the escape sequences are what it removes
const ANSI = /\u001b\[[0-9;]*m/g;

const creator = { name: 'playwright-users-api-tests', version: '0.1.0' };

/** The Markdown that says what was expected, what came back, and how to send it again. */
export function reproMarkdown(input: ReproInput): string {
  const last = input.calls.at(-1);
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
    '```',
    '',
    input.tokenVariable === undefined
      ? 'The API took no token.'
      : `The token is read from \`$${input.tokenVariable}\`; it is in no file here.`,
    `\`${REPRO_FILES.har}\` holds the same calls as HAR 1.2 (Chrome's network panel: Import HAR).`,
    '',
    '| # | call | status | attempts | ms |',
    '|---|---|---|---|---|',
    ...rows,
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
  fs.writeFileSync(at(REPRO_FILES.readme), reproMarkdown(input));
  fs.writeFileSync(at(REPRO_FILES.script), reproScript(input.calls, input), { mode: 0o755 });
  fs.writeFileSync(
    at(REPRO_FILES.har),
    `${JSON.stringify(harOf(input.calls, { tokenVariable: input.tokenVariable, creator }), null, 2)}\n`,
  );
  return {
    readme: at(REPRO_FILES.readme),
    script: at(REPRO_FILES.script),
    har: at(REPRO_FILES.har),
  };
}
