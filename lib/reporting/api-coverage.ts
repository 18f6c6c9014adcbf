import { ENVIRONMENTS, type EnvironmentConfig } from '../config/environment';
import { mergedEnvironment } from '../config/merged-environment';
import { responseKey } from '../openapi/contract';
import { environmentContract } from '../openapi/contract-loader';
import { type DocumentedOperation, matchOperation } from '../openapi/operations';
import { SUITE_RESOURCES } from '../suite-resources';
import type { ObservedCall, RecordedCall } from './api-health';
import type { CoverageFigures } from './threshold-verdicts';

/** Covered out of documented, and the percentage (100 when nothing is documented). */
export interface Ratio {
  covered: number;
  total: number;
  percent: number;
}

/** One documented operation: how often the run called it, which statuses and parameters it saw. */
export interface OperationCoverage {
  /** `GET /users/{id}`, as the document names it. */
  operation: string;
  calls: number;
  /** Documented response keys (`200`, `4XX`, `default`) and whether a response of the run matched each. */
  statuses: { status: string; seen: boolean }[];
  /** Documented query parameters and whether a call of the run sent each. */
  parameters: { name: string; used: boolean }[];
}

export interface ApiCoverage {
  operations: Ratio;
  statuses: Ratio;
  parameters: Ratio;
  detail: OperationCoverage[];
  /** Calls the document has no operation for, e.g. `GET /products` ×3: a gap in the document, or a typo in a test. */
  undocumented: { call: string; count: number }[];
  /** Responses to documented operations whose status the document does not list, e.g. `GET /users/{id} → 500` ×2. */
  undocumentedStatuses: { call: string; count: number }[];
}

/** The statuses a call received: every retried attempt's response, then the final one. */
function statusesOf(call: RecordedCall): number[] {
  const retried = call.retries.flatMap((retry) => {
    const outcome = (retry as { outcome?: { kind?: unknown; status?: unknown } }).outcome;
    return outcome?.kind === 'response' && typeof outcome.status === 'number'
      ? [outcome.status]
      : [];
  });
  return call.status === undefined ? retried : [...retried, call.status];
}

const ratio = (covered: number, total: number): Ratio => ({
  covered,
  total,
  percent: total === 0 ? 100 : Math.round((covered / total) * 1000) / 10,
});

const operationName = (operation: DocumentedOperation) =>
  `${operation.method} ${operation.template}`;

function tally(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/**
 * Which documented operations, response statuses and query parameters the run's calls exercised,
 * and which they never touched. Retried attempts count: a 429 the client retried was still a 429
 * the API answered.
 */
export function summarizeCoverage(
  operations: readonly DocumentedOperation[],
  calls: readonly RecordedCall[],
): ApiCoverage {
  const detail = new Map<DocumentedOperation, OperationCoverage>(
    operations.map((operation) => [
      operation,
      {
        operation: operationName(operation),
        calls: 0,
        statuses: operation.statuses.map((status) => ({ status, seen: false })),
        parameters: operation.queryParameters.map((name) => ({ name, used: false })),
      },
    ]),
  );
  const undocumented = new Map<string, number>();
  const undocumentedStatuses = new Map<string, number>();
  for (const call of calls) {
    const operation = matchOperation(operations, call.method, call.path);
    const covered = operation === undefined ? undefined : detail.get(operation);
    if (operation === undefined || covered === undefined) {
      tally(undocumented, `${call.method} /${call.route}`);
      continue;
    }
    covered.calls += 1;
    for (const status of statusesOf(call)) {
      const key = responseKey(operation.statuses, status);
      const entry = covered.statuses.find((s) => s.status === key);
      if (entry !== undefined) entry.seen = true;
      // An undocumented 5xx is the environment failing, which the health summary counts already.
      else if (status < 500) tally(undocumentedStatuses, `${covered.operation} → ${status}`);
    }
    const query = new URLSearchParams(call.path.split('?')[1] ?? '');
    for (const parameter of covered.parameters)
      if (query.has(parameter.name)) parameter.used = true;
  }
  const all = [...detail.values()];
  const statuses = all.flatMap((o) => o.statuses);
  const parameters = all.flatMap((o) => o.parameters);
  const sortedCounts = (map: Map<string, number>) =>
    [...map].map(([call, count]) => ({ call, count })).sort((a, b) => b.count - a.count);
  return {
    operations: ratio(all.filter((o) => o.calls > 0).length, all.length),
    statuses: ratio(statuses.filter((s) => s.seen).length, statuses.length),
    parameters: ratio(parameters.filter((p) => p.used).length, parameters.length),
    detail: all,
    undocumented: sortedCounts(undocumented),
    undocumentedStatuses: sortedCounts(undocumentedStatuses),
  };
}

const figure = (name: string, r: Ratio) => `${name} ${r.covered}/${r.total} (${r.percent}%)`;

/** What was never touched, as lines: operations never called, statuses never seen, parameters never sent. */
function gaps(coverage: ApiCoverage, most = Infinity): string[] {
  const never = coverage.detail.filter((o) => o.calls === 0).map((o) => o.operation);
  const unseen = coverage.detail
    .filter((o) => o.calls > 0)
    .flatMap((o) => {
      const missing = o.statuses.filter((s) => !s.seen).map((s) => s.status);
      return missing.length === 0 ? [] : [`${o.operation} ${missing.join(' ')}`];
    });
  const unused = coverage.detail.flatMap((o) => {
    const missing = o.parameters.filter((p) => !p.used).map((p) => p.name);
    return missing.length === 0 ? [] : [`${o.operation} ?${missing.join(' ?')}`];
  });
  const list = (items: { call: string; count: number }[]) =>
    items.map(({ call, count }) => `${call} ×${count}`);
  const capped = (items: string[]) =>
    items.length <= most
      ? items
      : [...items.slice(0, most), `… ${items.length - most} more in the coverage report`];
  return [
    ...(never.length === 0 ? [] : [`never called: ${capped(never).join('; ')}`]),
    ...(unseen.length === 0 ? [] : [`statuses never answered: ${capped(unseen).join('; ')}`]),
    ...(unused.length === 0 ? [] : [`query parameters never sent: ${capped(unused).join('; ')}`]),
    ...(coverage.undocumented.length === 0
      ? []
      : [
          `calls the document does not describe: ${capped(list(coverage.undocumented)).join('; ')}`,
        ]),
    ...(coverage.undocumentedStatuses.length === 0
      ? []
      : [
          `statuses the document does not list: ${capped(list(coverage.undocumentedStatuses)).join('; ')}`,
        ]),
  ];
}

/** The terminal lines: one line of figures, then what was never touched, a few of each kind. */
export function formatCoverage(coverage: ApiCoverage, title: string, most = 4): string {
  const head = `${title}: ${figure('operations', coverage.operations)}, ${figure('statuses', coverage.statuses)}, ${figure('query parameters', coverage.parameters)}`;
  return [head, ...gaps(coverage, most).map((line) => `  ${line}`)].join('\n');
}

/** The same as Markdown: a table per operation, for the job summary and Allure. */
export function formatCoverageMarkdown(coverage: ApiCoverage, title: string): string {
  const mark = (seen: boolean) => (seen ? '✓' : '✗');
  const rows = coverage.detail.map(
    (o) =>
      `| \`${o.operation}\` | ${o.calls} | ${o.statuses.map((s) => `${s.status} ${mark(s.seen)}`).join(', ')} | ${o.parameters.map((p) => `${p.name} ${mark(p.used)}`).join(', ') || '—'} |`,
  );
  return [
    `### ${title}`,
    '',
    `${figure('Operations', coverage.operations)} · ${figure('statuses', coverage.statuses)} · ${figure('query parameters', coverage.parameters)}`,
    '',
    '| operation | calls | statuses | query parameters |',
    '| --- | ---: | --- | --- |',
    ...rows,
    '',
    ...gaps(coverage)
      .filter((line) => line.startsWith('calls the') || line.startsWith('statuses the'))
      .map((line) => `- ${line}`),
  ].join('\n');
}

/** One project (environment) of the run, as coverage and thresholds see it. */
export interface ProjectRun {
  /** The project's name, e.g. `local-faults`. */
  project: string;
  /** Its environment; undefined in `merge-reports`, whose blobs do not keep `use`. */
  environment: EnvironmentConfig | undefined;
  calls: readonly ObservedCall[];
}

/** A project's coverage and the document it was measured against. */
export interface MeasuredCoverage extends ApiCoverage {
  /** `the generated document` or `QA_OPENAPI=./openapi.json`. */
  document: string;
}

/**
 * The environment a project tests: the project named after it, or `<env>-<variant>` such as
 * `local-faults`; undefined for the framework's own projects (`unit`, `scripts`).
 */
export function environmentNameOf(project: string): string | undefined {
  return ENVIRONMENTS.find((name) => project === name || project.startsWith(`${name}-`));
}

/**
 * A project's API coverage against its environment's document: the team's (`<ENV>_OPENAPI`) or the
 * one generated from the suite's resources. In `merge-reports`, where projects keep no environment,
 * `<ENV>_OPENAPI` is read from the merging shell. Undefined for projects that test no environment.
 */
export async function measureCoverage(run: ProjectRun): Promise<MeasuredCoverage | undefined> {
  const name = run.environment?.name ?? environmentNameOf(run.project);
  if (name === undefined) return undefined;
  const variable = `${name.toUpperCase()}_OPENAPI`;
  const openapi =
    run.environment === undefined ? mergedEnvironment(name).openapi : run.environment.openapi;
  const contract = await environmentContract({ name, openapi }, SUITE_RESOURCES);
  return {
    document: openapi === undefined ? 'the generated document' : `${variable}=${openapi}`,
    ...summarizeCoverage(
      contract.operations,
      run.calls.map((observed) => observed.call),
    ),
  };
}

/** The percentages that `coverage …` thresholds and the Allure metrics read. */
export const figuresOf = (coverage: ApiCoverage): CoverageFigures => ({
  operations: coverage.operations.percent,
  statuses: coverage.statuses.percent,
  parameters: coverage.parameters.percent,
});
