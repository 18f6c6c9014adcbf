import path from 'node:path';

import type { ReporterDescription } from '@playwright/test';

import type { EnvironmentConfig } from '../config/environment';
import { ALLURE_CATEGORIES, allureListener, type EnvironmentSummary } from './allure';
import type { AllureReporterOptions } from './allure-reporter';

export interface ReportersOptions {
  /** CI adds JUnit XML and a blob report per shard (merged into one HTML report afterwards). */
  ci: boolean;
  /** The HTML report; by default only outside CI, where the merge job builds it from the blobs instead. */
  html?: boolean;
  /** The environments the run's projects test, for the Allure environment panel. */
  environments: readonly EnvironmentSummary[];
  /** Folder for every report; the repository root by default. Child runs point it under `.tmp/`. */
  root?: string;
  /** Whether to print the list reporter; off for child runs that only want files. */
  terminal?: boolean;
  /** Blob report file name, e.g. `report-1.zip` per shard; Playwright picks one when unset. */
  blobFileName?: string;
}

/** Where each report goes, relative to the root. */
export const REPORT_PATHS = {
  html: 'playwright-report',
  blob: 'blob-report',
  allureResults: 'allure-results',
  allureReport: 'allure-report',
  junit: 'reports/junit.xml',
  apiHealth: 'reports/api-health.json',
  apiThresholds: 'reports/api-thresholds.json',
  apiCoverage: 'reports/api-coverage.json',
} as const;

const here = (file: string) => path.join(__dirname, file);

/** The environments that a config's projects test, as the Allure environment panel lists them. */
export function environmentsOf(
  projects: readonly { name?: string; use?: { environment?: EnvironmentConfig } }[],
): EnvironmentSummary[] {
  return projects.flatMap(({ name, use }) =>
    use?.environment === undefined
      ? []
      : [
          {
            project: name ?? use.environment.name,
            name: use.environment.name,
            baseUrl: use.environment.baseUrl,
          },
        ],
  );
}

/**
 * Every reporter of a run: the step-title reporter first (it completes API steps' titles), then the
 * terminal, HTML, CI formats and Allure. None of them guards anything: tokens never reach an
 * artifact (lib/http/credentials.ts) and the global teardown judges the gates (lib/reporting/run-end.ts),
 * so `--reporter`, UI mode and the IDE may replace them all. One definition for the main config and
 * the reporting tests' child runs.
 */
export function reporters(options: ReportersOptions): ReporterDescription[] {
  const at = (relative: string) => path.resolve(options.root ?? '.', relative);
  const ciOnly = (description: ReporterDescription): ReporterDescription[] =>
    options.ci ? [description] : [];
  const allure: AllureReporterOptions = {
    resultsDir: at(REPORT_PATHS.allureResults),
    // Only steps and attachments: every API call is its own step; Playwright internals would bury them.
    detail: false,
    suiteTitle: true,
    categories: ALLURE_CATEGORIES,
    // The environment panel lists the projects that ran, picked from these when the run begins.
    environments: options.environments,
    listeners: [allureListener],
  };
  return [
    [here('step-title-reporter.ts')],
    ...(options.terminal === false ? [] : [['list'] as ReporterDescription]),
    ...((options.html ?? !options.ci)
      ? [['html', { open: 'never', outputFolder: at(REPORT_PATHS.html) }] as ReporterDescription]
      : []),
    ...ciOnly(['junit', { outputFile: at(REPORT_PATHS.junit) }]),
    ...ciOnly([
      'blob',
      {
        outputDir: at(REPORT_PATHS.blob),
        ...(options.blobFileName === undefined ? {} : { fileName: options.blobFileName }),
      },
    ]),
    // allure-playwright, keeping each API call's request and response on the call's step.
    [here('allure-reporter.ts'), allure],
  ];
}
