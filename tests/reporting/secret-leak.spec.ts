import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

import AdmZip from 'adm-zip';
import { expect, test } from '@playwright/test';
import { z } from 'zod';

import { buildAllureReport } from '../../scripts/report';
import { childEnv, runNode } from '../../scripts/support/child-process';
import { startEmbeddedServer } from '../../scripts/support/embedded-server';
import { readOutcomes, runChildSuite } from './support/child-suite';
import { scanForSecret } from './support/secret-scan';

const ROOT = path.resolve('.tmp/reporting/secret-leak');
const allureResult = z.object({
  name: z.string(),
  labels: z.array(z.object({ name: z.string(), value: z.string() })),
  statusDetails: z.record(z.string(), z.unknown()).optional(),
});

test('no artifact of a traced run holds the API token, a failing test included', async () => {
  // A whole child run, report build and byte-by-byte search: slow on a busy machine.
  test.setTimeout(240_000);
  // A token no other run uses, so any hit can only come from this run's artifacts.
  const token = `leak-canary-${randomUUID()}`;

  const run = await test.step('run the fixture suite with --trace on and every reporter', () =>
    runChildSuite({ root: ROOT, token, args: ['--trace', 'on'] }));

  await test.step('the token reached the server: it answered 401 without it and 2xx with it', () => {
    const outcomes = readOutcomes(path.join(ROOT, 'results.json'));
    expect(outcomes.filter((o) => o.status === 'unexpected').map((o) => o.test)).toEqual([
      '[local] users-defect.fixture.ts › users deliberately wrong › a created user answers a status no server sends',
      '[local] users-defect.fixture.ts › users deliberately wrong › a name nobody set never becomes visible',
      '[local] users-defect.fixture.ts › users deliberately wrong › a user that was never created is read as if it existed',
      '[local] users-outage.fixture.ts › users while the API is down › answering 503 › a listing answered 503 until the retries run out',
      '[local] users-outage.fixture.ts › users while the API is down › resetting connections › a listing whose connection is reset every time',
    ]);
    expect(
      outcomes.find((o) => o.test.endsWith('a request without the token answers 401'))?.status,
    ).toBe('expected');
    expect(run.exitCode, 'only the deliberate failures fail').toBe(1);
    const health = JSON.parse(
      fs.readFileSync(path.join(ROOT, 'reports/api-health.json'), 'utf8'),
    ) as { endpoints: { endpoint: string; statuses: Record<string, number> }[] };
    const created = health.endpoints.find((e) => e.endpoint === 'POST /users')?.statuses['201'];
    expect(created, 'users created with the token').toBeGreaterThanOrEqual(3);
  });

  await test.step('a pass after an unplanned 503 is flaky in Allure, after a scripted one it is not', () => {
    const results = fs
      .readdirSync(path.join(ROOT, 'allure-results'))
      .filter((file) => file.endsWith('-result.json'))
      .map((file) =>
        allureResult.parse(
          JSON.parse(fs.readFileSync(path.join(ROOT, 'allure-results', file), 'utf8')),
        ),
      );
    const unplanned = results.find((r) => r.name === 'a read passes after one 503 retry');
    expect(unplanned?.labels).toContainEqual({ name: 'api-retries', value: '1' });
    expect(unplanned?.statusDetails).toMatchObject({
      flaky: true,
      message: 'passed after 1 API retry',
    });
    const scripted = results.find((r) => r.name === 'a read passes after one scripted 503 retry');
    expect(scripted?.labels).toContainEqual({ name: 'api-deliberate-faults', value: 'true' });
    expect(scripted?.statusDetails).toMatchObject({
      message: 'passed after 1 API retry under deliberate faults',
    });
    expect(scripted?.statusDetails).not.toHaveProperty('flaky');
  });

  await test.step('the traces recorded the Authorization header as the variable’s name', () => {
    const traces = fs
      .readdirSync(path.join(ROOT, 'test-results'), { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('trace.zip'));
    expect(traces.length, '--trace on keeps a trace per test').toBeGreaterThanOrEqual(4);
    const network = traces
      .flatMap((trace) => new AdmZip(path.join(ROOT, 'test-results', trace)).getEntries())
      .filter((entry) => entry.entryName.endsWith('.network'))
      .map((entry) => entry.getData().toString('utf8'))
      .join('\n');
    expect(network).toMatch(
      /"name":\s*"authorization",\s*"value":\s*"Bearer \$\{LOCAL_API_TOKEN\}"/i,
    );
  });

  await test.step('build the Allure report from the results', () => buildAllureReport(ROOT));

  await test.step('search every artifact byte by byte, zips and embedded report data opened', async () => {
    const scan = scanForSecret([ROOT], token);
    const logHits = [run.output].filter((text) => text.includes(token));
    await test.info().attach('secret-scan.json', {
      body: JSON.stringify({ ...scan, outputChars: run.output.length }, null, 2),
      contentType: 'application/json',
    });
    for (const dir of [
      'test-results',
      'playwright-report',
      'blob-report',
      'allure-results',
      'allure-report',
    ])
      expect(fs.existsSync(path.join(ROOT, dir)), `${dir} was produced`).toBe(true);
    expect(scan.files).toBeGreaterThan(50);
    expect(scan.nested, 'trace and blob zips were opened').toBeGreaterThan(100);
    expect(scan.hits, 'places where the token survived').toEqual([]);
    expect(logHits, 'the run output never prints the token').toEqual([]);
  });
});

test('no reporter a user picks lets the token into an artifact or the output', async () => {
  test.setTimeout(300_000);
  const token = `leak-canary-${randomUUID()}`;
  const root = path.resolve('.tmp/reporting/secret-leak-reporters');
  // Every built-in reporter at once, replacing the configured ones as `--reporter` does; those
  // without a file of their own print to the output, which is searched too.
  const builtIn = ['line', 'dot', 'list', 'json', 'junit', 'github', 'html', 'blob'];
  const run =
    await test.step(`run the fixture suite with --trace on --reporter ${builtIn.join(',')}`, () =>
      runChildSuite({
        root,
        token,
        args: ['--trace', 'on', '--reporter', builtIn.join(',')],
        env: {
          PLAYWRIGHT_HTML_OUTPUT_DIR: path.join(root, 'html'),
          PLAYWRIGHT_HTML_OPEN: 'never',
          PLAYWRIGHT_BLOB_OUTPUT_DIR: path.join(root, 'blob'),
        },
      }));

  await test.step('the token reached the server, and the deliberate failures failed', () => {
    expect(run.exitCode, run.output.slice(-2_000)).toBe(1);
    const health = JSON.parse(
      fs.readFileSync(path.join(root, 'reports/api-health.json'), 'utf8'),
    ) as { endpoints: { endpoint: string; statuses: Record<string, number> }[] };
    const created = health.endpoints.find((e) => e.endpoint === 'POST /users')?.statuses['201'];
    expect(created, 'users created with the token').toBeGreaterThanOrEqual(3);
    expect(run.output, 'the JSON report went to the output').toContain('"suites"');
  });

  await test.step('search every artifact and the output', () => {
    for (const dir of ['test-results', 'html', 'blob'])
      expect(fs.existsSync(path.join(root, dir)), `${dir} was produced`).toBe(true);
    const scan = scanForSecret([root], token);
    expect(scan.nested, 'trace and blob zips were opened').toBeGreaterThan(100);
    expect(scan.hits, 'places where the token survived').toEqual([]);
    expect(run.output.includes(token), 'the output never prints the token').toBe(false);
  });
});

test('a dictionary-word token never reaches an artifact, and never masks the framework’s words', async () => {
  test.setTimeout(240_000);
  const root = path.resolve('.tmp/reporting/secret-leak-word');
  // A real word, as in QA_API_TOKEN=wrong: masking it as text would corrupt "wrong status".
  const token = 'wrong';
  const run = await runChildSuite({ root, token });
  expect(run.exitCode, 'only the deliberate failures fail').toBe(1);
  const categories = fs.readFileSync(path.join(root, 'allure-results/categories.json'), 'utf8');
  expect(categories).toContain('Product defect: wrong status');
  expect(categories).not.toContain('***');
  const scan = scanForSecret([root], `Bearer ${token}`);
  expect(scan.nested, 'trace and blob zips were opened').toBeGreaterThan(10);
  expect(scan.hits, 'places where the token was sent or recorded').toEqual([]);
  expect(run.output).not.toContain('masked');
});

test('a failed test’s repro, its curl and its replay never hold the token; --reporter=line names it', async () => {
  test.setTimeout(300_000);
  const token = `leak-canary-${randomUUID()}`;
  const root = path.resolve('.tmp/reporting/secret-leak-repro');
  const run = await test.step('run failing and passing fixture tests with --reporter=line', () =>
    runChildSuite({
      root,
      token,
      args: ['--reporter', 'line', '-g', 'users deliberately wrong|users round trip'],
    }));
  expect(run.exitCode, run.output.slice(-2_000)).toBe(1);
  const results = path.join(root, 'test-results');
  const folders = fs
    .readdirSync(results, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(results, d.name, 'repro')))
    .map((d) => path.join(results, d.name, 'repro'));

  await test.step('each failed test, and only those, left a repro the line reporter names', () => {
    expect(folders, 'the three deliberate failures').toHaveLength(3);
    for (const folder of folders) {
      expect(fs.readdirSync(folder).sort()).toEqual([
        'calls.har',
        'repro.json',
        'repro.md',
        'requests.sh',
      ]);
      expect(run.output, 'the failure summary names the folder').toContain(
        path.relative(process.cwd(), folder),
      );
    }
  });

  const outputs =
    await test.step('send one repro again with curl and with replay, the token set', async () => {
      const server = await startEmbeddedServer({ flags: ['--token', token] });
      try {
        const folder = folders[0] ?? '';
        const curl = await promisify(execFile)('bash', [path.join(folder, 'requests.sh')], {
          env: { PATH: process.env.PATH, API_ROOT: server.baseUrl, LOCAL_API_TOKEN: token },
        });
        expect(curl.stdout, 'the server took the token').toMatch(/^HTTP\/1\.1 2\d\d/m);
        const replay = await runNode(
          ['--import', 'tsx', 'scripts/replay.ts', folder, '--base-url', server.baseUrl],
          { env: childEnv({ LOCAL_API_TOKEN: token, NO_COLOR: '1' }), timeoutMs: 120_000 },
        );
        expect(replay.exitCode, replay.output).not.toBe(2);
        return [curl.stdout, curl.stderr, replay.output];
      } finally {
        await server.stop();
      }
    });

  await test.step('no repro file, no curl or replay output and no line of the run holds the token', () => {
    const scan = scanForSecret(folders, token);
    expect(scan.files, 'four files per repro').toBe(12);
    expect(scan.hits, 'places where the token survived').toEqual([]);
    for (const file of folders.flatMap((f) => fs.readdirSync(f).map((n) => path.join(f, n))))
      expect(fs.readFileSync(file, 'utf8'), `${file} names the variable`).toContain(
        'LOCAL_API_TOKEN',
      );
    for (const output of [...outputs, run.output])
      expect(output.includes(token), 'an output printed the token').toBe(false);
  });
});
