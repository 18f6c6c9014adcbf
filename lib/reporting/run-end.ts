import path from 'node:path';

import type { FullConfig } from '@playwright/test';

import type { EnvironmentConfig } from '../config/environment';
import type { ReadLagSummary } from '../http/read-lag';
import { readCallLog, removeCallLog } from './call-log';
import { REPORT_PATHS } from './reporters';
import { RunSummary } from './run-summary';

/** A breached or malformed gate: the run fails with this one line, whatever reporters ran. */
export class GateError extends Error {
  constructor(message: string) {
    super(message);
    // Playwright prints a global teardown's error as `<name>: <message>` and its stack.
    this.name = 'API gate';
    this.stack = `${this.name}: ${message}`;
  }
}

/** Reporters that write a machine format to stdout when given no output file. */
const STDOUT_FORMATS = new Set(['json', 'junit']);

/**
 * Whether a reporter of the run writes its format to stdout, which the tables must not corrupt:
 * then they go to stderr.
 */
export function stdoutIsTaken(reporter: FullConfig['reporter']): boolean {
  return reporter.some(([name, options]) => {
    if (!STDOUT_FORMATS.has(name)) return false;
    const file = (options as { outputFile?: unknown } | undefined)?.outputFile;
    return typeof file !== 'string' || file === '';
  });
}

export interface RunEndOptions {
  /** The run's call log (`PW_CALL_LOG`). */
  callLog: string;
  /** Folder the reports go under (`reports/`, `allure-results/`); the current folder by default. */
  root?: string;
  startedAt: number;
  /** Each environment's learned read lag, by the coordinator's key (`<name> <API root>`). */
  readLags?: ReadonlyMap<string, ReadLagSummary>;
}

/**
 * The end of a `playwright test` run for the API, in its global teardown: the health summary,
 * coverage and thresholds of every project, judged on the calls the workers logged, and a
 * {@link GateError} when a gate fails. In the teardown, not a reporter, because `--reporter`, UI mode
 * and the IDE replace the configured reporters: a breach fails the run under any of them.
 */
export async function endRun(config: FullConfig, options: RunEndOptions): Promise<void> {
  const at = (relative: string) => path.resolve(options.root ?? '.', relative);
  const stream = stdoutIsTaken(config.reporter) ? process.stderr : process.stdout;
  const environments = new Map(
    config.projects.map((p) => [
      p.name,
      (p.use as { environment?: EnvironmentConfig }).environment,
    ]),
  );
  const readLags = new Map<string, ReadLagSummary>();
  for (const [project, environment] of environments) {
    const lag =
      environment === undefined
        ? undefined
        : options.readLags?.get(`${environment.name} ${environment.baseUrl}`);
    if (lag !== undefined) readLags.set(project, lag);
  }
  const summary = new RunSummary(
    {
      outputFile: at(REPORT_PATHS.apiHealth),
      thresholdsFile: at(REPORT_PATHS.apiThresholds),
      allureResultsDir: at(REPORT_PATHS.allureResults),
      coverageFile: at(REPORT_PATHS.apiCoverage),
      print: (text) => stream.write(`${text}\n`),
      readLags,
    },
    options.startedAt,
  );
  for (const entry of readCallLog(options.callLog))
    summary.add(entry.project, environments.get(entry.project), entry);
  removeCallLog(options.callLog);
  const verdict = await summary.finish(config.shard);
  if (verdict.failed) throw new GateError(verdict.reason);
}
