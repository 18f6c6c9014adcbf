import fs from 'node:fs';

import { expect, test } from '@playwright/test';

import { startPacingCoordinator } from '../../lib/http/pacing-coordinator';
import { createReadLag, LocalReadLag, ReadLagEstimate } from '../../lib/http/read-lag';
import { RunSummary } from '../../lib/reporting/run-summary';

test.describe('ReadLagEstimate', () => {
  test('holds the ceiling until ten lags are in, then the p95 × 2 + 100 ms', () => {
    const estimate = new ReadLagEstimate({ ceilingMs: 2_000 });
    for (let n = 0; n < 9; n += 1) estimate.add(100);
    expect(estimate.boundMs()).toBe(2_000);
    estimate.add(150);
    // Ten samples: the p95 by nearest rank is the slowest.
    expect(estimate.boundMs()).toBe(400);
  });

  test('never goes above the ceiling, however slow the backend', () => {
    const estimate = new ReadLagEstimate({ ceilingMs: 2_000 });
    for (let n = 0; n < 20; n += 1) estimate.add(1_500);
    expect(estimate.boundMs()).toBe(2_000);
  });

  test('a slow tail of more than 5% raises the bound to it; one stall among many does not', () => {
    const estimate = new ReadLagEstimate({ ceilingMs: 5_000 });
    for (let n = 0; n < 190; n += 1) estimate.add(100);
    estimate.add(4_000);
    expect(estimate.boundMs()).toBe(300);
    for (let n = 0; n < 12; n += 1) estimate.add(900);
    expect(estimate.boundMs()).toBe(1_900);
    expect(estimate.summary()).toEqual({
      ceilingMs: 5_000,
      boundMs: 1_900,
      samples: 203,
      highMs: 900,
    });
  });

  test('ignores what is not a lag', () => {
    const estimate = new ReadLagEstimate({ ceilingMs: 2_000, minSamples: 1 });
    estimate.add(Number.NaN);
    estimate.add(-5);
    expect(estimate.samples).toBe(0);
    expect(estimate.boundMs()).toBe(2_000);
  });
});

test.describe('ReadLag', () => {
  test('without read lag configured there is nothing to learn', async () => {
    const lag = new LocalReadLag({ ceilingMs: 0 });
    for (let n = 0; n < 20; n += 1) lag.observe(100);
    expect(await lag.bound()).toBe(0);
  });

  test('workers learn one bound through the coordinator', async () => {
    const coordinator = await startPacingCoordinator();
    try {
      const key = 'qa http://127.0.0.1:1/api/v1';
      const one = createReadLag({ key, ceilingMs: 2_000, coordinatorUrl: coordinator.url });
      const other = createReadLag({ key, ceilingMs: 2_000, coordinatorUrl: coordinator.url });
      for (let n = 0; n < 5; n += 1) one.observe(100);
      for (let n = 0; n < 5; n += 1) other.observe(200);
      // Neither worker has ten lags of its own; together they have.
      expect(await one.bound()).toBe(500);
      expect(await other.bound()).toBe(500);
      expect(coordinator.readLags().get(key)).toEqual({
        ceilingMs: 2_000,
        boundMs: 500,
        samples: 10,
        highMs: 200,
      });
    } finally {
      await coordinator.close();
    }
  });

  test('a worker learns alone when the coordinator is gone', async () => {
    const coordinator = await startPacingCoordinator();
    const url = coordinator.url;
    await coordinator.close();
    const lag = createReadLag({ key: 'qa x', ceilingMs: 2_000, coordinatorUrl: url });
    for (let n = 0; n < 10; n += 1) lag.observe(100);
    expect(await lag.bound()).toBe(300);
  });
});

test('the health summary reports each project’s learned bound', async ({}, testInfo) => {
  const printed: string[] = [];
  const outputFile = testInfo.outputPath('api-health.json');
  const summary = new RunSummary({
    outputFile,
    print: (text) => printed.push(text),
    readLags: new Map([
      ['qa', { ceilingMs: 2_000, boundMs: 420, samples: 37, highMs: 160 }],
      ['staging', { ceilingMs: 2_000, boundMs: 2_000, samples: 3, highMs: 90 }],
    ]),
  });
  const call = { method: 'GET', path: '/users/1', route: 'GET /users/:id', status: 200 };
  for (const project of ['qa', 'staging'])
    summary.add(project, undefined, {
      title: 'a test',
      ran: true,
      calls: [{ ...call, durationMs: 5, attempts: 1, retries: [] }],
    });
  await summary.finish({ current: 1, total: 2 });
  const text = printed.join('\n');
  expect(text).toContain(
    'Read lag (qa): learned bound 420 ms from 37 observed lags (p95 160 ms × 2 + 100 ms; ceiling 2000 ms)',
  );
  expect(text).toContain(
    'Read lag (staging): bound 2000 ms, the configured ceiling (3 lags observed, p95 90 ms)',
  );
  const written = JSON.parse(fs.readFileSync(outputFile, 'utf8')) as {
    projects: { project: string; readLag?: { boundMs: number } }[];
  };
  expect(written.projects.find((p) => p.project === 'qa')?.readLag?.boundMs).toBe(420);
});
