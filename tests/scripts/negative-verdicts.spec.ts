import fs from 'node:fs';
import path from 'node:path';

import { expect, test } from '@playwright/test';

import { childEnv, runPlaywright } from '../../scripts/support/child-process';

const ROOT = path.resolve(__dirname, '..', '..');

/** The suite's tests that once passed against an API refusing every call, and the schema check. */
const NEGATIVE_TESTS =
  /an unusual id|a body that is .* is refused|a server that stays down|matches the User schema/;

interface JsonSuite {
  title: string;
  suites?: JsonSuite[];
  specs?: {
    title: string;
    tests: {
      results: {
        status: string;
        errors: { message?: string }[];
        attachments: { name: string; body?: string }[];
      }[];
    }[];
  }[];
}

interface Outcome {
  title: string;
  status: string;
  error: string;
  /** The final status of each API call the test made (its `api-calls.json`). */
  answered: string[];
}

/** Each test of a JSON report: its title, how its last run ended, its errors and its calls. */
function outcomes(suites: readonly JsonSuite[]): Outcome[] {
  return suites.flatMap((suite) => [
    ...(suite.specs ?? []).flatMap((spec) =>
      spec.tests.map((t) => {
        const last = t.results.at(-1);
        return {
          title: spec.title,
          status: last?.status ?? 'not run',
          error: (last?.errors ?? []).map((e) => e.message ?? '').join('\n'),
          answered: (last?.attachments ?? [])
            .filter((a) => a.name === 'api-calls.json' && a.body !== undefined)
            .flatMap((a) => {
              const calls = JSON.parse(Buffer.from(a.body ?? '', 'base64').toString('utf8')) as {
                status?: number;
              }[];
              return calls.map((call) => String(call.status ?? 'no response'));
            }),
        };
      }),
    ),
    ...outcomes(suite.suites ?? []),
  ]);
}

test.describe('no negative test passes for the wrong reason', () => {
  test.describe.configure({ timeout: 300_000 });

  test('against a server that refuses the token, no negative test passes on a 401: each names it', async () => {
    const out = path.join(ROOT, '.tmp', 'negative-verdicts');
    const report = path.join(out, 'report.json');
    fs.rmSync(out, { recursive: true, force: true });
    const run = await runPlaywright(
      [
        'test',
        '--project=local',
        'tests/api/contract.spec.ts',
        'tests/api/payloads.spec.ts',
        'tests/api/resilience.spec.ts',
        '--grep',
        NEGATIVE_TESTS.source,
        '--reporter=json',
        '--retries=0',
        // The verdicts are judged; the failing tests' traces would only cost CPU to zip.
        '--trace=off',
      ],
      childEnv({
        // The embedded server `--token right`, and a client that sends another one.
        MOCK_TOKEN: 'right-token-4e7a1c',
        LOCAL_API_TOKEN: 'wrong-token-9b2d5f',
        // The embedded environments' preflight would stop the run before any test: skip it.
        PREFLIGHT: 'off',
        PW_OUTPUT_DIR: path.join(out, 'results'),
        PW_REPORTS_DIR: out,
        PLAYWRIGHT_JSON_OUTPUT_NAME: report,
        LOG_LEVEL: 'error',
      }),
    );
    expect(fs.existsSync(report), run.output.slice(-4000)).toBe(true);
    const { suites } = JSON.parse(fs.readFileSync(report, 'utf8')) as { suites: JsonSuite[] };
    const tests = outcomes(suites);
    expect(tests.map((t) => t.title).filter((title) => NEGATIVE_TESTS.test(title))).toHaveLength(
      16,
    );
    // The embedded server refuses a 2000-character id (400) before it looks at the token: that test
    // passes on a true answer, and the proof is that none of its calls was refused.
    const passed = tests.filter((t) => t.status === 'passed');
    expect(passed.map((t) => t.title)).toEqual([
      'an unusual id (2000 chars) is answered as missing or malformed, not with an error',
    ]);
    expect(
      passed.map((t) => t.answered),
      'the statuses its calls saw',
    ).toEqual([['400']]);
    for (const { title, status, error } of tests.filter((t) => t.status !== 'passed')) {
      expect(status, `${title} must fail against a refusing server`).toBe('failed');
      expect(error, `${title} names the status it saw`).toContain('401');
      expect(error, `${title} fails on the status, not on a schema`).not.toMatch(/invalid_type/);
    }
    expect(run.exitCode).toBe(1);
  });
});
