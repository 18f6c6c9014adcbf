import fs from 'node:fs';
import path from 'node:path';

import { expect, test } from '@playwright/test';
import { z } from 'zod';

import { buildAllureReport } from '../../scripts/report';
import { childEnv, runPlaywright } from '../../scripts/support/child-process';
import { readOutcomes, runChildSuite } from './support/child-suite';

const ROOT = path.resolve('.tmp/reporting/threshold-verdicts');
const TOKEN = 'thresholds-test-token';
/** The embedded server answers no API request sooner than this: a floor on every call's latency. */
const LATENCY_FLOOR_MS = 300;
/** Only the round-trip fixture, whose tests all pass: the run's exit code is the thresholds' verdict. */
const PASSING_SUITE = ['users-crud.fixture.ts'];

const verdictsSchema = z.object({
  projects: z.array(
    z.object({
      project: z.string(),
      results: z.array(
        z.object({
          clause: z.string(),
          observed: z.number().optional(),
          limit: z.number(),
          passed: z.boolean(),
          margin: z.number().optional(),
        }),
      ),
    }),
  ),
});
const readVerdicts = (root: string) =>
  verdictsSchema.parse(
    JSON.parse(fs.readFileSync(path.join(root, 'reports/api-thresholds.json'), 'utf8')),
  ).projects;

/** The fixture suite against a server that holds every API answer for LATENCY_FLOOR_MS. */
const slowRun = (root: string, thresholds: string, args: string[] = []) =>
  runChildSuite({
    root,
    token: TOKEN,
    args: [...PASSING_SUITE, ...args],
    env: {
      LOCAL_THRESHOLDS: thresholds,
      MOCK_LATENCY_MIN_MS: String(LATENCY_FLOOR_MS),
      MOCK_LATENCY_MAX_MS: String(LATENCY_FLOOR_MS),
    },
  });

test('a breached threshold fails a passing run with its verdict; one within its limit does not', async () => {
  // Several child runs at once, each with its own server: slow on a busy machine.
  test.setTimeout(240_000);
  const breach = path.join(ROOT, 'breach');
  const within = path.join(ROOT, 'within');
  const [breached, met] = await test.step('run the passing suite twice on a slow server', () =>
    Promise.all([
      slowRun(breach, `* p95<${LATENCY_FLOOR_MS / 3}; * errors<1%`),
      slowRun(within, '* p95<60000; * errors<1%'),
    ]));

  await test.step('every test passed in both runs', () => {
    for (const root of [breach, within])
      expect(readOutcomes(path.join(root, 'results.json')).map((o) => o.status)).toEqual([
        'expected',
        'expected',
      ]);
  });

  await test.step('the run whose p95 is over its limit exits 1 with the breach named', () => {
    expect(breached.exitCode, breached.output).toBe(1);
    expect(breached.output).toContain('API thresholds (local): 1 of 2 breached');
    expect(breached.output).toMatch(/BREACHED\s+\* p95<100\s+\d+ ms\s+< 100 ms\s+over by \d+ ms/);
    const [local] = readVerdicts(breach);
    expect(local?.results[0]).toMatchObject({ clause: '* p95<100', limit: 100, passed: false });
    expect(local?.results[0]?.observed, 'the server held each call').toBeGreaterThanOrEqual(
      LATENCY_FLOOR_MS,
    );
    expect(local?.results[1]).toMatchObject({ clause: '* errors<1%', observed: 0, passed: true });
  });

  await test.step('the run within its limits exits 0', () => {
    expect(met.exitCode, met.output).toBe(0);
    expect(met.output).toContain('API thresholds (local): all 2 met');
    expect(readVerdicts(within)[0]?.results.every((r) => r.passed)).toBe(true);
  });

  await test.step('Allure receives the measured figures as performance metrics', () => {
    const results = path.join(breach, 'allure-results');
    const [file, ...others] = fs.readdirSync(results).filter((f) => f.endsWith('-perf.json'));
    expect(others).toEqual([]);
    const samples = z
      .array(z.object({ id: z.string(), key: z.string(), value: z.number() }))
      .parse(JSON.parse(fs.readFileSync(path.join(results, file ?? ''), 'utf8')));
    const keys = samples.map((s) => s.key);
    for (const key of [
      'api.local.all.p95',
      'api.local.all.errors',
      'api.local.all.retries',
      'api.local.POST /users.p95',
      'api.local.GET /users/:id.p50',
    ])
      expect(keys).toContain(key);
    expect(samples.find((s) => s.key === 'api.local.all.p50')?.value).toBeGreaterThanOrEqual(
      LATENCY_FLOOR_MS,
    );
  });
});

test('shards leave the verdict to merge-reports, which judges every shard’s calls and fails on a breach', async () => {
  test.setTimeout(240_000);
  const shardRoot = (shard: number) => path.join(ROOT, `shard-${shard}`);
  const thresholds = `* p95<${LATENCY_FLOOR_MS / 3}`;
  const shards = await test.step('run the suite in two shards with a threshold it breaches', () =>
    Promise.all(
      [1, 2].map((shard) => slowRun(shardRoot(shard), thresholds, ['--shard', `${shard}/2`])),
    ));
  for (const run of shards) {
    expect(run.exitCode, run.output).toBe(0);
    expect(run.output).toContain('thresholds are judged on the merged report');
  }

  const merged = await test.step('merge the blobs with the health reporter', async () => {
    const root = path.join(ROOT, 'merged');
    const blobs = path.join(root, 'all-blob-reports');
    fs.rmSync(root, { recursive: true, force: true });
    fs.mkdirSync(blobs, { recursive: true });
    for (const shard of [1, 2])
      for (const file of fs.readdirSync(path.join(shardRoot(shard), 'blob-report')))
        fs.copyFileSync(path.join(shardRoot(shard), 'blob-report', file), path.join(blobs, file));
    // Run inside its own folder: the reporter writes reports/ and allure-results/ there.
    const run = await runPlaywright(
      ['merge-reports', '--reporter', path.resolve('lib/reporting/merged-run-reporter.ts'), blobs],
      childEnv({ LOCAL_THRESHOLDS: thresholds }),
      { cwd: root },
    );
    return { run, root };
  });
  expect(merged.run.exitCode, merged.run.output).toBe(1);
  expect(merged.run.output).toMatch(/BREACHED\s+\* p95<100/);
  const [local] = readVerdicts(merged.root);
  expect(local?.project).toBe('local');
  expect(local?.results[0]?.observed).toBeGreaterThanOrEqual(LATENCY_FLOOR_MS);
  const health = z
    .object({ calls: z.number() })
    .parse(JSON.parse(fs.readFileSync(path.join(merged.root, 'reports/api-health.json'), 'utf8')));
  const shardCalls = [1, 2].map(
    (shard) =>
      z
        .object({ calls: z.number() })
        .parse(
          JSON.parse(
            fs.readFileSync(path.join(shardRoot(shard), 'reports/api-health.json'), 'utf8'),
          ),
        ).calls,
  );
  expect(health.calls, 'the merged verdict holds every shard’s calls').toBe(
    (shardCalls[0] ?? 0) + (shardCalls[1] ?? 0),
  );
});

test('a malformed LOCAL_THRESHOLDS stops the run before any test, naming the variable and the clause', async () => {
  test.setTimeout(120_000);
  const root = path.join(ROOT, 'malformed');
  const run = await runChildSuite({
    root,
    token: TOKEN,
    args: PASSING_SUITE,
    env: { LOCAL_THRESHOLDS: '* p95<800; GET /users/:id p95<eight' },
  });
  expect(run.exitCode, run.output).toBe(1);
  const line = run.output
    .split('\n')
    .find((l) => l.includes('LOCAL_THRESHOLDS: "GET /users/:id p95<eight"'));
  expect(line, run.output).toContain('the value must be a number of ms, e.g. p95<800');
  expect(fs.existsSync(path.join(root, 'results.json')), 'no test ran').toBe(false);
});

test('API coverage is printed, written and shown in Allure, and a coverage floor the run misses fails it', async () => {
  test.setTimeout(240_000);
  const missed = path.join(ROOT, 'coverage-missed');
  const met = path.join(ROOT, 'coverage-met');
  // The round-trip fixture creates, reads and deletes users: a few of the document's operations.
  const [short, enough] = await test.step('run the passing suite with two coverage floors', () =>
    Promise.all([
      runChildSuite({
        root: missed,
        token: TOKEN,
        args: PASSING_SUITE,
        env: { LOCAL_THRESHOLDS: 'coverage operations>=100%' },
      }),
      runChildSuite({
        root: met,
        token: TOKEN,
        args: PASSING_SUITE,
        env: { LOCAL_THRESHOLDS: 'coverage operations>=10%' },
      }),
    ]));
  const coverageSchema = z.object({
    projects: z.array(
      z.object({
        project: z.string(),
        document: z.string(),
        operations: z.object({ covered: z.number(), total: z.number(), percent: z.number() }),
        detail: z.array(z.object({ operation: z.string(), calls: z.number() })),
      }),
    ),
  });
  const [local] = coverageSchema.parse(
    JSON.parse(fs.readFileSync(path.join(missed, 'reports/api-coverage.json'), 'utf8')),
  ).projects;

  await test.step('the coverage counts the operations the suite called, of the generated document', () => {
    expect(local).toMatchObject({ project: 'local', document: 'the generated document' });
    const called = local?.detail.filter((o) => o.calls > 0).map((o) => o.operation) ?? [];
    expect(called).toEqual(expect.arrayContaining(['POST /users', 'GET /users/{id}']));
    expect(called).not.toContain('PUT /users/{userId}/posts/{id}');
    expect(local?.operations.covered).toBe(called.length);
    expect(local?.operations.total).toBeGreaterThan(called.length);
    expect(short.output).toContain(
      `API coverage (local, against the generated document): operations ${called.length}/${local?.operations.total}`,
    );
  });

  await test.step('below its floor the run fails, naming the clause and the figure', () => {
    expect(short.exitCode, short.output).toBe(1);
    expect(short.output).toMatch(
      new RegExp(
        `BREACHED\\s+coverage operations>=100%\\s+${local?.operations.percent}%\\s+>= 100%\\s+short by`,
      ),
    );
    expect(enough.exitCode, enough.output).toBe(0);
    expect(enough.output).toContain('API thresholds (local): all 1 met');
  });

  await test.step('the Allure report carries the coverage and the verdicts as global attachments', async () => {
    const report = await buildAllureReport(missed);
    const files = fs
      .readdirSync(report, { recursive: true, encoding: 'utf8' })
      .map((file) => path.join(report, file))
      .filter((file) => fs.statSync(file).isFile())
      .map((file) => fs.readFileSync(file, 'utf8'));
    const holding = (text: string) => files.filter((content) => content.includes(text)).length;
    expect(
      holding('API coverage (local, against the generated document)'),
      'a file of the report holds the coverage table',
    ).toBeGreaterThan(0);
    expect(
      holding('coverage operations>=100%'),
      'a file of the report holds the threshold verdicts',
    ).toBeGreaterThan(0);
  });
});
