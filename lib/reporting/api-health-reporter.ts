import fs from 'node:fs';
import path from 'node:path';

import type { Reporter, TestCase, TestResult } from '@playwright/test/reporter';

import {
  type ApiHealthSummary,
  formatApiHealthMarkdown,
  formatApiHealthTable,
  type ObservedCall,
  recordedCallsOf,
  summarizeApiHealth,
} from './api-health';

export interface ApiHealthReporterOptions {
  /** Where the JSON summary goes; a Markdown twin is written next to it. */
  outputFile?: string;
  /** How many of the slowest calls to list. */
  slowest?: number;
}

/**
 * Collects every test's `api-calls.json` attachment and, at the end of the run, prints requests,
 * statuses, retries and p50/p95/max latency per endpoint plus the slowest calls, and writes them as
 * JSON and Markdown (also to the GitHub Actions job summary when there is one).
 */
export default class ApiHealthReporter implements Reporter {
  private readonly observed: ObservedCall[] = [];
  private readonly outputFile: string;
  private readonly slowest: number;

  constructor(options: ApiHealthReporterOptions = {}) {
    this.outputFile = path.resolve(options.outputFile ?? 'reports/api-health.json');
    this.slowest = options.slowest ?? 5;
  }

  printsToStdio(): boolean {
    return true;
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    const title = test.titlePath().slice(3).join(' › ');
    for (const call of recordedCallsOf(result.attachments))
      this.observed.push({ test: title, call });
  }

  onEnd(): void {
    // A run without API calls (--list, unit tests only) keeps the previous summary.
    if (this.observed.length === 0) return;
    const summary = summarizeApiHealth(this.observed, this.slowest);
    console.log(`\n${formatApiHealthTable(summary)}\n`);
    this.write(summary);
  }

  private write(summary: ApiHealthSummary): void {
    const markdown = formatApiHealthMarkdown(summary);
    fs.mkdirSync(path.dirname(this.outputFile), { recursive: true });
    fs.writeFileSync(this.outputFile, `${JSON.stringify(summary, null, 2)}\n`);
    fs.writeFileSync(this.outputFile.replace(/\.json$/, '') + '.md', markdown);
    const jobSummary = process.env.GITHUB_STEP_SUMMARY;
    if (jobSummary !== undefined && jobSummary !== '')
      fs.appendFileSync(jobSummary, `${markdown}\n`);
  }
}
