import { execFile } from 'node:child_process';
import path from 'node:path';

import { expect, test } from '@playwright/test';

const REPO_ROOT = path.resolve(__dirname, '../..');
/** Only against a hang: a child still running by then is killed, so it never outlives the test. */
const KILL_AFTER_MS = 150_000;

interface Run {
  code: number | null;
  output: string;
}

/**
 * Runs `playwright test --project=qa --list` as `npx playwright ...` would, minus npx (whose own
 * warnings vary by machine), with none of the remote environments' variables, CI unset and no
 * .env: `--list` loads the config but sends no request.
 */
function listQa(extraEnv: NodeJS.ProcessEnv): Promise<Run> {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(QA|STAGING|PRODUCTION)_/.test(key) || key === 'CI' || key === 'FORCE_COLOR') continue;
    env[key] = value;
  }
  // dotenv reads this instead of the checkout's .env, so a developer's own settings cannot leak in.
  env.DOTENV_CONFIG_PATH = path.join(REPO_ROOT, 'tests/unit/no-such.env');
  Object.assign(env, extraEnv);
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [require.resolve('@playwright/test/cli'), 'test', '--project=qa', '--list'],
      { cwd: REPO_ROOT, env, timeout: KILL_AFTER_MS },
      (error, stdout, stderr) => {
        resolve({
          code: error === null ? 0 : typeof error.code === 'number' ? error.code : null,
          output: `${stdout}${stderr}`,
        });
      },
    );
  });
}

const occurrences = (text: string, part: string) => text.split(part).length - 1;

test.describe('selecting an unconfigured environment', () => {
  test.describe.configure({ timeout: KILL_AFTER_MS + 30_000 });

  test('exits non-zero at once with one message naming QA_BASE_URL and .env.example', async () => {
    const run = await listQa({});
    expect(run.code, run.output).not.toBe(0);
    expect(run.code, 'killed: it hung').not.toBeNull();
    expect(run.output).toContain(
      'Environment "qa" is not configured: QA_BASE_URL is not set. Set it in the shell or copy .env.example to .env and fill it in.',
    );
    expect(occurrences(run.output, 'QA_BASE_URL'), run.output).toBe(1);
    expect(run.output, 'no stack trace buries the message').not.toMatch(/^\s+at /m);
  });

  test('a malformed QA_BASE_URL gets the same kind of message', async () => {
    const run = await listQa({ QA_BASE_URL: 'not-a-url' });
    expect(run.code, run.output).not.toBe(0);
    expect(run.code, 'killed: it hung').not.toBeNull();
    expect(run.output).toContain('QA_BASE_URL is not an http(s) URL');
    expect(run.output).toContain('.env.example');
    expect(occurrences(run.output, 'QA_BASE_URL'), run.output).toBe(1);
    expect(run.output).not.toMatch(/^\s+at /m);
  });
});
