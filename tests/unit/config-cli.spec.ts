import { expect, test } from '@playwright/test';

import { type ChildRun, childEnv, runPlaywright } from '../../scripts/support/child-process';

/** Only against a hang: a child still running by then is killed, so it never outlives the test. */
const KILL_AFTER_MS = 150_000;

/**
 * Runs `playwright test --project=qa --list` as `npx playwright ...` would, minus npx (whose own
 * warnings vary by machine), with none of the environments' variables, CI unset and no .env:
 * `--list` loads the config but sends no request.
 */
function listQa(extraEnv: Record<string, string>): Promise<ChildRun> {
  return runPlaywright(['test', '--project=qa', '--list'], childEnv(extraEnv), {
    timeoutMs: KILL_AFTER_MS,
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
    expect(run.output).toContain('QA_BASE_URL is not an http(s) URL');
    expect(run.output).toContain('.env.example');
    expect(occurrences(run.output, 'QA_BASE_URL'), run.output).toBe(1);
    expect(run.output).not.toMatch(/^\s+at /m);
  });
});
