import fs from 'node:fs';
import path from 'node:path';

import { expect, test } from '@playwright/test';

import {
  type ChildRun,
  childEnv,
  ownLines,
  runPlaywright,
} from '../../scripts/support/child-process';

/** Only against a hang: a child still running by then is killed, so it never outlives the test. */
const KILL_AFTER_MS = 150_000;

/**
 * Runs `playwright test --project=qa --list` as `npx playwright ...` would, minus npx (whose own
 * warnings vary by machine), with none of the environments' variables, CI unset and no .env:
 * `--list` loads the config but sends no request.
 */
function listQa(extraEnv: Record<string, string>): Promise<ChildRun> {
  return listed(['--project=qa', '--list'], childEnv(extraEnv));
}

const CONFIG = path.resolve(__dirname, '../../playwright.config.ts');

/**
 * `playwright test <args>` on the main config, run from a folder of its own: the config writes its
 * reports under the current folder, and a listing must never touch the parent run's allure-results.
 */
function listed(args: readonly string[], env: NodeJS.ProcessEnv): Promise<ChildRun> {
  const cwd = path.resolve(__dirname, '../../.tmp/config-cli');
  fs.mkdirSync(cwd, { recursive: true });
  return runPlaywright(['test', '--config', CONFIG, ...args], env, {
    timeoutMs: KILL_AFTER_MS,
    cwd,
  });
}

const occurrences = (text: string, part: string) => text.split(part).length - 1;

test.describe('selecting an unconfigured environment', () => {
  test.describe.configure({ timeout: KILL_AFTER_MS + 30_000 });

  test('exits non-zero at once with one message naming QA_BASE_URL and .env.example', async () => {
    const run = await listQa({});
    expect(run.exitCode, run.output).not.toBe(0);
    expect(run.exitCode, 'killed: it hung').not.toBeNull();
    expect(run.output).toContain(
      'Environment "qa" is not configured: QA_BASE_URL is not set. Set it in the shell or copy .env.example to .env and fill it in.',
    );
    expect(occurrences(run.output, 'QA_BASE_URL'), run.output).toBe(1);
    expect(run.output, 'no stack trace buries the message').not.toMatch(/^\s+at /m);
  });

  test('a malformed QA_BASE_URL gets the same kind of message', async () => {
    const run = await listQa({ QA_BASE_URL: 'not-a-url' });
    expect(run.exitCode, run.output).not.toBe(0);
    expect(run.exitCode, 'killed: it hung').not.toBeNull();
    expect(run.output).toContain('QA_BASE_URL is "not-a-url"; expected an http(s) URL');
    expect(run.output).toContain('.env.example');
    expect(occurrences(run.output, 'QA_BASE_URL'), run.output).toBe(1);
    expect(run.output).not.toMatch(/^\s+at /m);
  });
});

test.describe('every configuration mistake gets one line', () => {
  test.describe.configure({ timeout: KILL_AFTER_MS + 30_000 });
  const ROOT = 'https://abc123.mockapi.io/api/v1';
  const FIX = 'Fix it in the shell or in .env (.env.example documents each setting).';

  /** `playwright test <args> --list` with `env`: exit 1 and exactly `line`, nothing else. */
  async function expectOneLine(args: string[], env: Record<string, string>, line: string) {
    const run = await listed([...args, '--list'], childEnv(env));
    expect(run.exitCode, run.output).toBe(1);
    expect(ownLines(run.output), 'one line: no brackets, no stack').toEqual([line]);
  }

  test('a port that is no port names LOCAL_PORT, not the LOCAL_BASE_URL built from it', async () => {
    await expectOneLine(
      ['--project=qa'],
      { LOCAL_PORT: 'abc' },
      'LOCAL_PORT is "abc"; expected a port number 1–65535',
    );
  });

  test('a malformed base URL, a timeout and an attempt count: the value and the form', async () => {
    await Promise.all([
      expectOneLine(
        ['--project=qa'],
        { QA_BASE_URL: 'x' },
        `Environment "qa" has a bad setting: QA_BASE_URL is "x"; expected an http(s) URL of the API root, e.g. https://<id>.mockapi.io/api/v1. ${FIX}`,
      ),
      expectOneLine(
        ['--project=qa'],
        { QA_BASE_URL: ROOT, QA_TIMEOUT_MS: 'abc' },
        `Environment "qa" has a bad setting: QA_TIMEOUT_MS is "abc"; expected a whole number of milliseconds greater than 0, e.g. 10000. ${FIX}`,
      ),
      expectOneLine(
        ['--project=qa'],
        { QA_BASE_URL: ROOT, QA_RETRY_ATTEMPTS: '-1' },
        `Environment "qa" has a bad setting: QA_RETRY_ATTEMPTS is "-1"; expected a count of attempts from 1 to 100, e.g. 30. ${FIX}`,
      ),
    ]);
  });

  test('a --project typo lists every project and the variable that makes qa appear', async () => {
    await expectOneLine(
      ['--project=qaa'],
      {},
      'no project "qaa": projects are unit, server, local, local-faults, scripts, reporting, and staging/qa/production once STAGING_BASE_URL/QA_BASE_URL/PRODUCTION_BASE_URL is set (QA_BASE_URL is not set)',
    );
  });

  test('--project=unit and a * pattern still select, and list, their tests', async () => {
    for (const args of [['--project=unit'], ['--project=*']]) {
      const run = await listed([...args, '--list'], childEnv());
      expect(run.exitCode, run.output).toBe(0);
      expect(run.output).toMatch(/Total: \d+ tests? in \d+ files?/);
    }
  });
});
