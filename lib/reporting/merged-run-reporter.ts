import type {
  FullConfig,
  FullProject,
  Reporter,
  TestCase,
  TestResult,
} from '@playwright/test/reporter';

import type { EnvironmentConfig } from '../config/environment';
import { recordedCallsOf } from './api-health';
import { RunSummary, type RunSummaryOptions } from './run-summary';

export type { CoverageProvider } from './run-summary';
export type ApiHealthReporterOptions = RunSummaryOptions;

/** Thresholds were breached; thrown in `merge-reports`, which ignores the status `onEnd` returns. */
export class ThresholdBreach extends Error {
  override name = 'ThresholdBreach';
  constructor(message: string) {
    super(message);
    this.stack = `${this.name}: ${message}`;
  }
}

function environmentOf(project: FullProject | undefined): EnvironmentConfig | undefined {
  const environment = (project?.use as { environment?: EnvironmentConfig } | undefined)
    ?.environment;
  // Blob reports keep no `use` but `testIdAttribute`: in merge-reports this finds nothing.
  return typeof environment?.name === 'string' && typeof environment.baseUrl === 'string'
    ? environment
    : undefined;
}

/**
 * The API health summary, coverage and thresholds of a `merge-reports` run, from every test's
 * `api-calls.json` attachment in the shards' blobs; it fails the merge on a breach. A `playwright
 * test` run does not list it: there the global teardown judges the run, whatever reporters run
 * (lib/reporting/run-end.ts).
 */
export default class ApiHealthReporter implements Reporter {
  private summary: RunSummary;
  private shard: FullConfig['shard'] = null;

  constructor(private readonly options: ApiHealthReporterOptions = {}) {
    this.summary = new RunSummary(options);
  }

  printsToStdio(): boolean {
    return true;
  }

  onBegin(config: FullConfig): void {
    this.shard = config.shard;
    this.summary = new RunSummary(this.options);
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    const project = test.parent.project();
    this.summary.add(project?.name ?? '', environmentOf(project), {
      title: test.titlePath().slice(3).join(' › '),
      ran: result.status !== 'skipped',
      calls: recordedCallsOf(result.attachments),
    });
  }

  /**
   * Fails the run on a breach. `playwright test` takes the status `onEnd` returns as the run's;
   * `merge-reports` ignores that status and exits 1 only when a reporter threw, so there it throws,
   * after printing the verdicts.
   */
  async onEnd(): Promise<{ status: 'failed' } | undefined> {
    const verdict = await this.summary.finish(this.shard);
    if (!verdict.failed) return undefined;
    if (process.argv.includes('merge-reports')) throw new ThresholdBreach(verdict.reason);
    return { status: 'failed' };
  }
}
