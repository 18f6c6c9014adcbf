import { type Label, Status, type StatusDetails, type TestResult } from 'allure-js-commons';
import type { Category } from 'allure-js-commons/sdk';
import type { LifecycleListener } from 'allure-js-commons/sdk/reporter';

import { type CiSettings, ciSettings } from '../config/ci-settings';
import categories from './allure-categories.json';

const STATUSES = new Map<string, Status>(Object.values(Status).map((status) => [status, status]));
const toStatus = (value: string): Status => {
  const status = STATUSES.get(value);
  if (status === undefined) throw new Error(`allure-categories.json: unknown status "${value}"`);
  return status;
};

/**
 * Categories (written as categories.json, and read by the report config too). The first matching
 * one wins: a poll that never saw the expected state first (its wait may have timed out, but it is a
 * product defect, not the environment's), then infrastructure (transport failures and 5xx after
 * every retry), then the other product defects, then tests that passed only after retries.
 */
export const ALLURE_CATEGORIES: Category[] = categories.map(({ matchedStatuses, ...rule }) => ({
  ...rule,
  matchedStatuses: matchedStatuses.map(toStatus),
}));

/** Epic per top-level test folder; anything else is the API suite. */
const EPICS: Record<string, string> = {
  api: 'API',
  server: 'Embedded server',
  unit: 'Framework',
  reporting: 'Reporting',
};

/** Severity from the suite's tags when a test does not set one itself; the first listed tag wins. */
const SEVERITY_BY_TAG: readonly (readonly [string, string])[] = [
  ['smoke', 'critical'],
  ['readonly', 'critical'],
  ['crud', 'normal'],
  ['contract', 'normal'],
  ['consistency', 'normal'],
  ['concurrency', 'normal'],
  ['resilience', 'minor'],
];

/** `tests/api/users/crud.spec.ts › describe › title` → epic, feature and story labels. */
export function layoutLabels(fullName: string, describePath: string | undefined): Label[] {
  const file = fullName.split(' › ')[0] ?? fullName;
  const parts = file.split('/');
  const underTests = parts[0] === 'tests' && parts.length > 2;
  const area = underTests ? (parts[1] ?? '') : '';
  const rest = underTests ? parts.slice(2) : parts;
  const feature = rest
    .join(' › ')
    .replace(/\.(spec|test|fixture)\.[cm]?[jt]s$/, '')
    .replaceAll(/[-_]/g, ' ');
  const labels: Label[] = [
    { name: 'epic', value: EPICS[area] ?? 'API' },
    { name: 'feature', value: feature },
  ];
  if (describePath !== undefined && describePath !== '')
    labels.push({ name: 'story', value: describePath });
  return labels;
}

/** The label the Allure reporter gives a test whose API calls were retried: how many retries. */
export const API_RETRIES_LABEL = 'api-retries';

/** The label of a test whose faults were planned: its API retries do not make it flaky. */
export const DELIBERATE_FAULTS_LABEL = 'api-deliberate-faults';

const has = (result: TestResult, name: string) => result.labels.some((l) => l.name === name);

/**
 * Completes each Allure result before it is written: epic/feature/story from the spec layout,
 * severity from the tags, and `flaky` for a test that passed only after Playwright retried it or
 * after API retries nobody planned (the `api-retries` label without `api-deliberate-faults`), so the
 * categories can tell those apart. Retries under deliberate faults are noted, not flagged.
 */
export function enrichResult(result: TestResult): void {
  const describePath = result.labels.find((l) => l.name === 'subSuite')?.value;
  for (const label of layoutLabels(result.fullName ?? result.name ?? '', describePath))
    if (!has(result, label.name)) result.labels.push(label);

  if (!has(result, 'severity')) {
    const tags = new Set(result.labels.filter((l) => l.name === 'tag').map((l) => l.value));
    const severity = SEVERITY_BY_TAG.find(([tag]) => tags.has(tag))?.[1] ?? 'normal';
    result.labels.push({ name: 'severity', value: severity });
  }

  const apiRetries = Number(result.labels.find((l) => l.name === API_RETRIES_LABEL)?.value ?? 0);
  const testRetried = result.parameters.some((p) => p.name === 'Retry');
  if (
    result.status === Status.PASSED &&
    apiRetries > 0 &&
    !testRetried &&
    has(result, DELIBERATE_FAULTS_LABEL)
  ) {
    result.statusDetails = {
      ...result.statusDetails,
      message: `passed after ${apiRetries} API retr${apiRetries === 1 ? 'y' : 'ies'} under deliberate faults`,
    };
    return;
  }
  if (result.status === Status.PASSED && (apiRetries > 0 || testRetried)) {
    const why = [
      testRetried ? 'after Playwright retried the test' : '',
      apiRetries > 0 ? `after ${apiRetries} API retr${apiRetries === 1 ? 'y' : 'ies'}` : '',
    ].filter((part) => part !== '');
    // Allure reads `flaky` from the results' statusDetails, though allure-js-commons does not type it.
    const details: StatusDetails & { flaky: boolean } = {
      ...result.statusDetails,
      flaky: true,
      message: `passed ${why.join(' and ')}`,
    };
    result.statusDetails = details;
  }
}

export const allureListener: LifecycleListener = { beforeTestResultWrite: enrichResult };

export interface EnvironmentSummary {
  /** Playwright project name. */
  project: string;
  /** Environment name (local, staging, qa, production). */
  name: string;
  baseUrl: string;
  /** Whether the run was asked to test it (`--project`, or a default project); named when no test began. */
  selected?: boolean;
}

/**
 * environment.properties: the projects that ran (`local-faults`, not the `local` configuration it
 * shares), their API hosts, and the tool versions. Never a token.
 */
export function allureEnvironmentInfo(
  environments: readonly EnvironmentSummary[],
  ci: CiSettings = ciSettings(),
): Record<string, string> {
  const hosts = environments.map((e) => `${e.project}=${new URL(e.baseUrl).host}`);
  return {
    Environments: [...new Set(environments.map((e) => e.project))].join(', ') || 'none',
    'API hosts': hosts.join(', ') || 'none',
    Node: process.version,
    Playwright: playwrightVersion(),
    ...(ci.run === undefined ? {} : { 'CI run': ci.run }),
  };
}

function playwrightVersion(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- package.json is exported for exactly this
  const pkg = require('@playwright/test/package.json') as { version: string };
  return pkg.version;
}
