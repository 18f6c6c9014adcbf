import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { expect, test } from '@playwright/test';

import { buildAllureReport } from '../../scripts/report';
import { type ChildRun, childEnv, runPlaywright } from '../../scripts/support/child-process';
import {
  type EmbeddedServer,
  freePort,
  startEmbeddedServer,
} from '../../scripts/support/embedded-server';

const ROOT = path.resolve(__dirname, '..', '..');
const TOKEN = 'preflight-token-7c2e91';

/**
 * `npx playwright test <args>` as a person runs it, with nothing from the shell or `.env`, in a
 * folder of its own (`.tmp/preflight/<name>`): the reports (allure-results above all, which a run
 * stopped in preflight now clears) go there, not over the repository's.
 */
async function runIn(
  name: string,
  args: readonly string[],
  env: Record<string, string>,
): Promise<ChildRun> {
  const dir = runFolder(name);
  await mkdir(dir, { recursive: true });
  return runPlaywright(
    ['test', '--config', path.join(ROOT, 'playwright.config.ts'), ...args],
    childEnv({ PW_OUTPUT_DIR: path.join(dir, 'test-results'), ...env }),
    { cwd: dir },
  );
}

const runFolder = (name: string) => path.join(ROOT, '.tmp', 'preflight', name);

/** `npx playwright test --project=qa`. */
function runQa(name: string, env: Record<string, string>): Promise<ChildRun> {
  return runIn(name, ['--project=qa'], env);
}

/** What the run printed, without blank lines and Node's own warnings. */
function printed(run: ChildRun): string[] {
  return run.output
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line.trim() !== '')
    .filter((line) => !/^\(node:\d+\) |^\(Use `node --trace-/.test(line));
}

/** The run stopped before any test, with exactly `line`. */
function expectStoppedWith(run: ChildRun, line: string): void {
  expect(run.exitCode, run.output).toBe(1);
  expect(printed(run), 'one line, and nothing about tests').toEqual([line]);
}

test.describe('a broken environment stops the run before the suite, with one line', () => {
  // A child Playwright run loads the config and TypeScript: seconds on a busy machine.
  test.describe.configure({ timeout: 120_000 });

  test('a dead URL: connection refused, before any test', async () => {
    const url = 'http://127.0.0.1:1/api/v1';
    const run = await runQa('dead', { QA_BASE_URL: url });
    expectStoppedWith(
      run,
      `QA_BASE_URL=${url}: connection refused — is the API running? Check QA_BASE_URL.`,
    );
    // Not a timing test: the bound only tells a stop in preflight from a run that went on to the
    // tests, whose retries against a dead host would take minutes; a loaded machine may be slow.
    expect(run.durationMs, 'stops before the suite').toBeLessThan(60_000);
  });

  test('a host name that does not resolve', async () => {
    // `.invalid` never resolves (RFC 2606): nothing is sent anywhere.
    const url = 'http://api.example.invalid/api/v1';
    const run = await runQa('dns', { QA_BASE_URL: url });
    expectStoppedWith(
      run,
      `QA_BASE_URL=${url}: host api.example.invalid not found (DNS) — check the host name in QA_BASE_URL.`,
    );
  });

  test.describe('on a server of its own', () => {
    let server: EmbeddedServer | undefined;
    let html: Server | undefined;

    test.afterEach(async () => {
      await server?.stop();
      server = undefined;
      html?.close();
      html = undefined;
    });

    test('401: no token, or a wrong one, names QA_API_TOKEN and never the token', async () => {
      server = await startEmbeddedServer({ flags: ['--token', TOKEN] });
      const { baseUrl } = server;
      const [missing, wrong] = await Promise.all([
        runQa('no-token', { QA_BASE_URL: baseUrl }),
        runQa('wrong-token', { QA_BASE_URL: baseUrl, QA_API_TOKEN: 'wrong-token-3b8d' }),
      ]);
      expectStoppedWith(
        missing,
        `QA_BASE_URL=${baseUrl}: GET /users answered 401 — the API wants a token: set QA_API_TOKEN.`,
      );
      expectStoppedWith(
        wrong,
        `QA_BASE_URL=${baseUrl}: GET /users answered 401 — the token was refused: check QA_API_TOKEN.`,
      );
      expect(wrong.output).not.toContain('wrong-token-3b8d');
    });

    test('a wrong root: 404 on the collection', async () => {
      server = await startEmbeddedServer({});
      const wrongRoot = server.baseUrl.replace('/api/v1', '/api/v2');
      const run = await runQa('wrong-root', { QA_BASE_URL: wrongRoot });
      expectStoppedWith(
        run,
        `QA_BASE_URL=${wrongRoot}: GET /users answered 404 — no /users there: QA_BASE_URL must be the API root that holds /users, e.g. https://<id>.mockapi.io/api/v1.`,
      );
    });

    test('an HTML page where the API should be', async () => {
      html = createServer((_request, response) => {
        response.setHeader('content-type', 'text/html; charset=utf-8');
        response.end('<!doctype html><html><head><title>Sign in</title></head></html>');
      });
      html.listen(0, '127.0.0.1');
      await once(html, 'listening');
      const url = `http://127.0.0.1:${(html.address() as AddressInfo).port}/api/v1`;
      const run = await runQa('html', { QA_BASE_URL: url });
      expectStoppedWith(
        run,
        `QA_BASE_URL=${url}: GET /users answered 200 with an HTML page, not JSON — QA_BASE_URL must be the API root that holds /users, e.g. https://<id>.mockapi.io/api/v1.`,
      );
    });
  });
});

test.describe('the embedded servers are probed too', () => {
  test.describe.configure({ timeout: 120_000 });

  /** `npx playwright test` as a person runs it, tokens mismatched, nothing from the shell or `.env`. */
  const runLocal = async (name: string, args: string[], env: Record<string, string> = {}) =>
    runIn(name, args, {
      MOCK_TOKEN: 'right-token-40a7',
      LOCAL_API_TOKEN: 'wrongtoken123',
      // Ports of their own: child runs side by side would otherwise both pick 4010 while it is free.
      LOCAL_PORT: String(await freePort()),
      LOCAL_FAULTS_PORT: String(await freePort()),
      ...env,
    });

  test('a token the embedded server refuses stops the run in seconds, with one line and no test', async () => {
    const run = await runLocal('local-token', []);
    expectStoppedWith(
      run,
      "local: the token was refused (401): LOCAL_API_TOKEN must match the embedded server's MOCK_TOKEN",
    );
    // 3.3 s on an idle 2-core machine (before: 74 s and 2,715 lines, test by test); 27 s seen at a
    // load average of 12. The bound only tells "stopped" from "ran the suite".
    expect(run.durationMs, 'stops before the suite').toBeLessThan(45_000);
    expect(run.output).not.toContain('wrongtoken123');
    expect(run.output).not.toContain('right-token-40a7');
  });

  test('local and local-faults refused alike: one line for both', async () => {
    const run = await runLocal('both-token', ['--project=local', '--project=local-faults']);
    expectStoppedWith(
      run,
      "local, local-faults: the token was refused (401): LOCAL_API_TOKEN must match the embedded server's MOCK_TOKEN",
    );
  });

  test('PREFLIGHT=off skips it: the test meets the 401 itself', async () => {
    const run = await runLocal(
      'preflight-off',
      ['tests/api/crud.spec.ts', '-g', 'whole lifecycle', '--reporter=line'],
      { PREFLIGHT: 'off' },
    );
    expect(run.exitCode, run.output).toBe(1);
    expect(run.output).toContain('1 failed');
    expect(run.output).toContain('POST /users answered 401');
    expect(run.output).not.toContain('the token was refused');
  });
});

test('a sweep that fails names itself and its cause, not a test', async () => {
  test.setTimeout(120_000);
  const server = await startEmbeddedServer({ flags: ['--token', TOKEN] });
  try {
    const run = await runPlaywright(
      ['test', '--config', 'tests/scripts/fixtures/sweep.config.ts'],
      childEnv({
        PW_OUTPUT_DIR: path.join(ROOT, '.tmp', 'preflight', 'sweep'),
        LOCAL_BASE_URL: server.baseUrl,
        LOCAL_API_TOKEN: 'wrong-token-9d1e',
        PW_RUN_ID: 'sweeprun1',
      }),
    );
    expect(run.exitCode, run.output).toBe(1);
    expect(run.output).toContain('1 passed');
    expect(run.output).toMatch(
      /SweepError: worker sweep of users \(run marker pwrun-sweeprun1-p0-\) failed: GET \/users\S* answered 401, expected 200\..* — records of this run may be left behind: npm run janitor -- --env local --older-than 0 deletes them/,
    );
    expect(run.output, 'no frames of lib/ bury it').not.toMatch(/^\s+at .*lib\//m);
    expect(run.output).not.toContain('wrong-token-9d1e');
  } finally {
    await server.stop();
  }
});

test('a run stopped in preflight leaves Allure results that say so, not the previous run', async () => {
  test.setTimeout(120_000);
  const results = path.join(runFolder('allure'), 'allure-results');
  await rm(runFolder('allure'), { recursive: true, force: true });
  await mkdir(results, { recursive: true });
  // The previous run, as allure-playwright left it: one passed test.
  await writeFile(
    path.join(results, 'old-run-result.json'),
    JSON.stringify({ uuid: 'old-run', name: 'an old passing test', status: 'passed' }),
  );
  const line =
    "local: the token was refused (401): LOCAL_API_TOKEN must match the embedded server's MOCK_TOKEN";
  const run = await runIn('allure', [], {
    MOCK_TOKEN: 'right-token-40a7',
    LOCAL_API_TOKEN: 'wrongtoken123',
    LOCAL_PORT: String(await freePort()),
  });
  expectStoppedWith(run, line);

  const files = await readdir(results);
  expect(files, 'the previous run is gone').not.toContain('old-run-result.json');
  const read = async (suffix: string) =>
    Promise.all(
      files
        .filter((f) => f.endsWith(suffix))
        .map(async (f) => JSON.parse(await readFile(path.join(results, f), 'utf8')) as unknown),
    );
  expect(await read('-globals.json')).toEqual([
    { attachments: [], errors: [expect.objectContaining({ message: line })] },
  ]);
  expect(await read('-result.json')).toEqual([
    expect.objectContaining({
      name: 'preflight: local',
      status: 'failed',
      statusDetails: { message: line },
    }),
  ]);
  expect(await readFile(path.join(results, 'environment.properties'), 'utf8')).toContain(
    'Environments=local',
  );

  await test.step('npm run report: 1 failed, the global error, nothing of the old run', async () => {
    const report = await buildAllureReport(runFolder('allure'));
    const summary = JSON.parse(await readFile(path.join(report, 'summary.json'), 'utf8')) as {
      status: string;
      stats: Record<string, number>;
    };
    expect(summary.status).toBe('failed');
    expect(summary.stats).toMatchObject({ total: 1, failed: 1 });
    expect(summary.stats.passed ?? 0).toBe(0);
    const globals = await readFile(path.join(report, 'widgets', 'globals.json'), 'utf8');
    expect(globals).toContain(line);
  });
});
