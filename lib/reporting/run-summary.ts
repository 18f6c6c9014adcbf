import fs from 'node:fs';
import path from 'node:path';

import { ciSettings } from '../config/ci-settings';
import type { EnvironmentConfig } from '../config/environment';
import { mergedEnvironment } from '../config/merged-environment';
import type { Threshold } from '../config/threshold-grammar';
import type { ReadLagSummary } from '../http/read-lag';
import { writeAllureMetrics } from './allure-metrics';
import {
  environmentNameOf,
  figuresOf,
  formatCoverage,
  formatCoverageMarkdown,
  type MeasuredCoverage,
  measureCoverage,
  type ProjectRun,
} from './api-coverage';
import {
  type ApiHealthSummary,
  formatApiHealthMarkdown,
  formatApiHealthTable,
  type ObservedCall,
  summarizeApiHealth,
} from './api-health';
import { formatReadLag } from './read-lag-report';
import {
  type CoverageFigures,
  formatThresholdMarkdown,
  formatThresholdTable,
  judgeThresholds,
  type ProjectThresholds,
} from './threshold-verdicts';

/**
 * API coverage of one project's run; {@link measureCoverage} (against the environment's OpenAPI
 * document) unless a test passes another. Undefined when the project tests no environment.
 */
export type CoverageProvider = (
  run: ProjectRun,
) => MeasuredCoverage | undefined | Promise<MeasuredCoverage | undefined>;

export interface RunSummaryOptions {
  /** Where the JSON summary goes; a Markdown twin is written next to it. */
  outputFile?: string;
  /** How many of the slowest calls to list. */
  slowest?: number;
  /** Where the threshold verdicts go (JSON, with a Markdown twin); `reports/api-thresholds.json` by default. */
  thresholdsFile?: string;
  /** The Allure results folder that receives the run's figures as performance metrics; `allure-results` by default. */
  allureResultsDir?: string;
  /** Where the API coverage goes (JSON, with a Markdown twin); `reports/api-coverage.json` by default. */
  coverageFile?: string;
  /** API coverage per project, printed and written, for `coverage …` thresholds and the Allure metrics. */
  coverage?: CoverageProvider;
  /** Where the tables go; the console by default. */
  print?: (text: string) => void;
  /** Each project's learned read lag (the run's coordinator knows it), reported with its health. */
  readLags?: ReadonlyMap<string, ReadLagSummary>;
}

/** One project's share of the run. */
export interface ProjectCalls {
  /** Its environment; undefined in `merge-reports`, whose blobs keep no `use`. */
  environment: EnvironmentConfig | undefined;
  calls: ObservedCall[];
  /** Whether any of its tests ran (not skipped): only then are its thresholds judged. */
  ran: boolean;
}

/** How a run ended for the gates: passed, or failed with one line saying why. */
export type RunVerdict = { failed: false } | { failed: true; reason: string };

/**
 * The end of a run for the API: prints requests, statuses, retries and p50/p95/max latency per
 * endpoint plus the slowest calls, per project, and writes them as JSON and Markdown (also to the
 * GitHub Actions job summary when there is one); prints and writes each project's API coverage;
 * judges each project's `<ENV>_THRESHOLDS` on its own calls, prints and writes the verdicts, and
 * writes the figures as Allure performance metrics. A shard holds part of the calls, so it judges
 * nothing: `merge-reports` does, on all of them. One implementation for the global teardown of a
 * run (whatever reporters it has) and the reporter of `merge-reports`.
 */
export class RunSummary {
  private readonly projects = new Map<string, ProjectCalls>();
  private readonly outputFile: string;
  private readonly thresholdsFile: string;
  private readonly allureResultsDir: string;
  private readonly slowest: number;
  private readonly coverageFile: string;
  private readonly coverage: CoverageProvider;
  private readonly print: (text: string) => void;
  private readonly readLags: ReadonlyMap<string, ReadLagSummary>;

  constructor(
    options: RunSummaryOptions = {},
    private readonly startedAt: number = Date.now(),
  ) {
    this.outputFile = path.resolve(options.outputFile ?? 'reports/api-health.json');
    this.thresholdsFile = path.resolve(options.thresholdsFile ?? 'reports/api-thresholds.json');
    this.allureResultsDir = path.resolve(options.allureResultsDir ?? 'allure-results');
    this.slowest = options.slowest ?? 5;
    this.coverageFile = path.resolve(options.coverageFile ?? 'reports/api-coverage.json');
    this.coverage = options.coverage ?? measureCoverage;
    this.readLags = options.readLags ?? new Map();
    this.print =
      options.print ??
      ((text) => {
        console.log(text);
      });
  }

  /** Adds one test's calls to its project's share. */
  add(
    project: string,
    environment: EnvironmentConfig | undefined,
    test: { title: string; ran: boolean; calls: readonly ObservedCall['call'][] },
  ): void {
    const data = this.projects.get(project) ?? { environment, calls: [], ran: false };
    this.projects.set(project, data);
    if (test.ran) data.ran = true;
    for (const call of test.calls) data.calls.push({ test: test.title, call });
  }

  /** Prints and writes everything, and judges the thresholds unless this is a shard. */
  async finish(shard: { current: number; total: number } | null = null): Promise<RunVerdict> {
    const observed = [...this.projects.values()].flatMap((p) => p.calls);
    const withCalls = [...this.projects].filter(([, p]) => p.calls.length > 0);
    // A run without API calls (--list, unit tests only) keeps the previous summary.
    if (observed.length > 0) this.writeHealth(observed, withCalls);

    const gated = this.gatedProjects();
    if ('problems' in gated) {
      this.print(`\nAPI thresholds cannot be judged:\n  ${gated.problems.join('\n  ')}\n`);
      return { failed: true, reason: 'API thresholds are malformed' };
    }
    if (shard !== null) {
      if (gated.projects.length > 0)
        this.print(
          `API thresholds are judged on the merged report: shard ${shard.current}/${shard.total} holds part of the calls\n`,
        );
      return { failed: false };
    }
    const measured = await this.measureCoverage(withCalls);
    const coverage = new Map(
      [...measured].map(([project, c]): [string, CoverageFigures] => [project, figuresOf(c)]),
    );
    if (observed.length > 0)
      writeAllureMetrics(
        this.allureResultsDir,
        withCalls.map(([project, data]) => ({
          project,
          calls: data.calls,
          coverage: coverage.get(project),
        })),
        this.startedAt,
      );
    if (gated.projects.length === 0) {
      // No verdicts this run: none of an earlier run's may pass for this one's in the reports.
      if (observed.length > 0) this.removeThresholds();
      return { failed: false };
    }

    const verdicts: ProjectThresholds[] = gated.projects.map(({ project, thresholds }) => ({
      project,
      results: judgeThresholds(thresholds, {
        calls: this.projects.get(project)?.calls ?? [],
        coverage: coverage.get(project),
      }),
    }));
    const breached = verdicts.flatMap((v) => v.results.filter((r) => !r.passed));
    this.print(
      `${formatThresholdTable(verdicts)}\n${breached.length === 0 ? '' : `The run fails: ${breached.length} API threshold${breached.length === 1 ? '' : 's'} breached.\n`}`,
    );
    this.writeThresholds(verdicts);
    return breached.length === 0
      ? { failed: false }
      : {
          failed: true,
          reason: `API thresholds breached: ${breached.map((r) => `"${r.clause}"`).join(', ')} (see the table above)`,
        };
  }

  /**
   * The thresholds of each project that ran: from its environment (`use.environment`) in a run;
   * in `merge-reports`, whose blobs keep only `use.testIdAttribute` of each project, from the
   * merging process's own `<ENV>_THRESHOLDS`, the environment named by the project.
   */
  private gatedProjects():
    { projects: { project: string; thresholds: Threshold[] }[] } | { problems: string[] } {
    const projects: { project: string; thresholds: Threshold[] }[] = [];
    const problems: string[] = [];
    for (const [project, data] of this.projects) {
      if (!data.ran) continue;
      let thresholds: Threshold[] = data.environment?.thresholds ?? [];
      if (data.environment === undefined) {
        const name = environmentNameOf(project);
        if (name === undefined) continue;
        const parsed = mergedEnvironment(name);
        problems.push(...parsed.problems);
        thresholds = parsed.thresholds;
      }
      if (thresholds.length > 0) projects.push({ project, thresholds });
    }
    return problems.length > 0 ? { problems } : { projects };
  }

  private writeHealth(observed: ObservedCall[], withCalls: [string, ProjectCalls][]): void {
    const summary = summarizeApiHealth(observed, this.slowest);
    const perProject = withCalls.map(([project, data]) => ({
      project,
      summary: summarizeApiHealth(data.calls, this.slowest),
    }));
    // One project: the table as before; several: one table each, named.
    const single = perProject.length === 1;
    const lags = [...this.readLags].filter(([project]) => this.projects.has(project));
    this.print(
      `\n${perProject.map((p) => formatApiHealthTable(p.summary, single ? undefined : p.project)).join('\n\n')}\n` +
        lags.map(([project, lag]) => `${formatReadLag(project, lag)}\n`).join(''),
    );
    const markdown = perProject
      .map((p) => formatApiHealthMarkdown(p.summary, single ? undefined : p.project))
      .join('\n');
    const json: ApiHealthSummary & {
      projects: ({ project: string; readLag?: ReadLagSummary } & ApiHealthSummary)[];
    } = {
      ...summary,
      projects: perProject.map((p) => ({
        project: p.project,
        ...p.summary,
        ...(this.readLags.has(p.project) ? { readLag: this.readLags.get(p.project) } : {}),
      })),
    };
    this.writePair(this.outputFile, json, markdown);
  }

  /**
   * Each project's API coverage, printed after the health summary and written as JSON and Markdown
   * (the Allure report shows the Markdown). A document that cannot be loaded is one line, not a crash.
   */
  private async measureCoverage(
    withCalls: [string, ProjectCalls][],
  ): Promise<Map<string, MeasuredCoverage>> {
    const measured = new Map<string, MeasuredCoverage>();
    for (const [project, data] of withCalls) {
      try {
        const coverage = await this.coverage({ project, ...data });
        if (coverage !== undefined) measured.set(project, coverage);
      } catch (error) {
        this.print(`API coverage (${project}) not measured: ${(error as Error).message}`);
      }
    }
    if (measured.size === 0) return measured;
    const title = (project: string, c: MeasuredCoverage) =>
      `API coverage (${project}, against ${c.document})`;
    this.print(
      `${[...measured].map(([project, c]) => formatCoverage(c, title(project, c))).join('\n')}\n`,
    );
    this.writePair(
      this.coverageFile,
      { projects: [...measured].map(([project, c]) => ({ project, ...c })) },
      [...measured]
        .map(([project, c]) => formatCoverageMarkdown(c, title(project, c)))
        .join('\n\n'),
    );
    return measured;
  }

  private writeThresholds(verdicts: ProjectThresholds[]): void {
    this.writePair(this.thresholdsFile, { projects: verdicts }, formatThresholdMarkdown(verdicts));
  }

  private removeThresholds(): void {
    for (const file of [this.thresholdsFile, this.thresholdsFile.replace(/\.json$/, '') + '.md'])
      fs.rmSync(file, { force: true });
  }

  private writePair(file: string, json: unknown, markdown: string): void {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
    fs.writeFileSync(file.replace(/\.json$/, '') + '.md', markdown);
    const { jobSummaryFile } = ciSettings();
    if (jobSummaryFile !== undefined) fs.appendFileSync(jobSummaryFile, `${markdown}\n`);
  }
}
