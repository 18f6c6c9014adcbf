import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import { ALL_CALLS, API_METRICS, unitOf } from '../config/threshold-grammar';
import type { ObservedCall } from './api-health';
import { type CoverageFigures, measureCalls } from './threshold-verdicts';

/** Our Allure metrics file, named so that a rerun into the same results folder replaces it. */
const PERF_PREFIX = 'api-health-';
const PERF_SUFFIX = '-perf.json';

/**
 * Writes a run's figures to `resultsDir` as Allure 3 performance metrics, replacing an earlier
 * run's. Allure keeps one value per key in its history (the mean of the key's samples), so each
 * series has its own key, `api.<project>.<endpoint or *>.<metric>`, for its trend to span runs.
 */
export function writeAllureMetrics(
  resultsDir: string,
  projects: readonly {
    project: string;
    calls: readonly ObservedCall[];
    coverage: CoverageFigures | undefined;
  }[],
  startedAt: number,
): void {
  const stop = Date.now();
  const samples = projects.flatMap(({ project, calls, coverage }) => [
    ...allureSamples(project, calls, startedAt, stop),
    ...coverageSamples(project, coverage, startedAt, stop),
  ]);
  fs.mkdirSync(resultsDir, { recursive: true });
  for (const file of fs.readdirSync(resultsDir))
    if (file.startsWith(PERF_PREFIX) && file.endsWith(PERF_SUFFIX))
      fs.rmSync(path.join(resultsDir, file), { force: true });
  fs.writeFileSync(
    path.join(resultsDir, `${PERF_PREFIX}${randomUUID()}${PERF_SUFFIX}`),
    `${JSON.stringify(samples, null, 2)}\n`,
  );
}

/** One Allure performance metric (the fields Allure 3 reads from a `*-perf.json` file). */
export interface AllureMetricSample {
  id: string;
  key: string;
  value: number;
  start: number;
  stop: number;
  title: string;
  unit: string;
  group: string;
  groupTitle: string;
  better?: 'lower' | 'higher';
}

/** Every metric of a project's calls, overall (`*`) and per endpoint, as Allure samples. */
export function allureSamples(
  project: string,
  calls: readonly ObservedCall[],
  start: number,
  stop: number,
): AllureMetricSample[] {
  const endpoints = [...new Set(calls.map((o) => `${o.call.method} /${o.call.route}`))].sort();
  const series: [string, readonly ObservedCall[]][] = [
    [ALL_CALLS, calls],
    ...endpoints.map((e): [string, ObservedCall[]] => [
      e,
      calls.filter((o) => `${o.call.method} /${o.call.route}` === e),
    ]),
  ];
  return series.flatMap(([target, group]) => {
    const metrics = measureCalls(group.map((o) => o.call));
    if (metrics === undefined) return [];
    return API_METRICS.map((metric) => ({
      id: `${project} ${target}`,
      key: `api.${project}.${target === ALL_CALLS ? 'all' : target}.${metric}`,
      value: metrics[metric],
      start,
      stop,
      title: `${metric} ${target === ALL_CALLS ? 'all calls' : target}`,
      unit: unitOf(metric),
      group: `api.${project}`,
      groupTitle: `API (${project})`,
      ...(metric === 'requests' ? {} : { better: 'lower' as const }),
    }));
  });
}

function coverageSamples(
  project: string,
  coverage: CoverageFigures | undefined,
  start: number,
  stop: number,
): AllureMetricSample[] {
  if (coverage === undefined) return [];
  return (['operations', 'statuses', 'parameters'] as const).map((metric) => ({
    id: `${project} coverage`,
    key: `api.${project}.coverage.${metric}`,
    value: coverage[metric],
    start,
    stop,
    title: `coverage of ${metric}`,
    unit: '%',
    group: `api.${project}`,
    groupTitle: `API (${project})`,
    better: 'higher',
  }));
}
