import { alignColumns, type ObservedCall, percentile, type RecordedCall } from './api-health';
import {
  ALL_CALLS,
  type ApiMetric,
  type Comparison,
  COVERAGE,
  isApiMetric,
  isCoverageMetric,
  LATENCY_METRICS,
  type Threshold,
  type Unit,
  unitOf,
} from '../config/threshold-grammar';

/** Percentages (0–100) of the documented operations, status codes and query parameters exercised. */
export interface CoverageFigures {
  operations: number;
  statuses: number;
  parameters: number;
}

/** Every metric of a set of calls: latency in ms, rates in percent, requests as a count. */
export type CallMetrics = Record<ApiMetric, number>;

const round = (n: number, digits = 2) => Number(n.toFixed(digits));
const sendsOf = (call: Pick<RecordedCall, 'attempts'>) => Math.max(1, call.attempts);
const failed = (call: RecordedCall) => call.status === undefined || call.status >= 500;

/** The metrics of some calls; undefined for none, since a percentile of nothing is no measurement. */
export function measureCalls(calls: readonly RecordedCall[]): CallMetrics | undefined {
  if (calls.length === 0) return undefined;
  const durations = calls.map((c) => c.durationMs).sort((a, b) => a - b);
  const sends = calls.reduce((sum, c) => sum + sendsOf(c), 0);
  return {
    p50: percentile(durations, 50),
    p90: percentile(durations, 90),
    p95: percentile(durations, 95),
    p99: percentile(durations, 99),
    max: durations.at(-1) ?? 0,
    avg: round(durations.reduce((sum, d) => sum + d, 0) / durations.length, 1),
    errors: round((100 * calls.filter(failed).length) / calls.length),
    retries: round((100 * (sends - calls.length)) / sends),
    requests: calls.length,
  };
}

const endpointOf = (call: RecordedCall) => `${call.method.toUpperCase()} /${call.route}`;

/** The calls a target covers: all for `*`, those of one endpoint otherwise. */
export function callsOf(target: string, observed: readonly ObservedCall[]): ObservedCall[] {
  return target === ALL_CALLS
    ? [...observed]
    : observed.filter((o) => endpointOf(o.call) === target);
}

/** What one project's run measured: its recorded calls and, when measured, its API coverage. */
export interface Measurements {
  calls: readonly ObservedCall[];
  coverage?: CoverageFigures | undefined;
}

/** A call that explains a breach: the test that made it and what it did. */
export interface Culprit {
  test: string;
  call: string;
  durationMs: number;
  status: number | undefined;
  attempts: number;
}

export interface ThresholdResult extends Threshold {
  unit: Unit;
  /** What the run measured; undefined when there was nothing to measure (see `reason`). */
  observed: number | undefined;
  passed: boolean;
  /**
   * How far the observed value is past the limit, in the metric's unit: positive is a breach by
   * that much, negative the headroom left (0 breaches `<` and `>`, not `<=` and `>=`).
   */
  margin: number | undefined;
  /** Why there is no observed value: `no calls measured`, `coverage was not measured`. */
  reason?: string;
  /** For a breach of latency, errors or retries: the calls behind it, worst first (at most 3). */
  culprits: Culprit[];
}

const holds = (observed: number, op: Comparison, limit: number) =>
  op === '<'
    ? observed < limit
    : op === '<='
      ? observed <= limit
      : op === '>'
        ? observed > limit
        : observed >= limit;

function culpritsOf(threshold: Threshold, calls: readonly ObservedCall[]): Culprit[] {
  const { metric, limit } = threshold;
  let picked: ObservedCall[];
  if ((LATENCY_METRICS as readonly string[]).includes(metric))
    picked = calls
      .filter((o) => o.call.durationMs >= limit)
      .sort((a, b) => b.call.durationMs - a.call.durationMs);
  else if (metric === 'errors') picked = calls.filter((o) => failed(o.call));
  else if (metric === 'retries')
    picked = calls
      .filter((o) => o.call.attempts > 1)
      .sort((a, b) => b.call.attempts - a.call.attempts);
  else picked = [];
  return picked.slice(0, 3).map(({ test, call }) => ({
    test,
    call: `${call.method} /${call.path.replace(/\?$/, '')}`,
    durationMs: call.durationMs,
    status: call.status,
    attempts: call.attempts,
  }));
}

/**
 * Judges each threshold on one project's measurements. A threshold on an endpoint that saw no
 * calls is a breach (`no calls measured`): a misspelt endpoint, or one the suite stopped
 * exercising, must not pass silently. A coverage threshold without coverage figures is a breach too.
 */
export function judgeThresholds(
  thresholds: readonly Threshold[],
  measurements: Measurements,
): ThresholdResult[] {
  return thresholds.map((threshold): ThresholdResult => {
    const unit = unitOf(threshold.metric);
    const missing = (reason: string): ThresholdResult => ({
      ...threshold,
      unit,
      observed: undefined,
      passed: false,
      margin: undefined,
      reason,
      culprits: [],
    });
    let observed: number;
    let calls: ObservedCall[] = [];
    if (threshold.target === COVERAGE) {
      const figure = isCoverageMetric(threshold.metric)
        ? measurements.coverage?.[threshold.metric]
        : undefined;
      if (figure === undefined) return missing('coverage was not measured');
      observed = figure;
    } else {
      calls = callsOf(threshold.target, measurements.calls);
      const metrics = measureCalls(calls.map((o) => o.call));
      if (metrics === undefined || !isApiMetric(threshold.metric))
        return missing('no calls measured');
      observed = metrics[threshold.metric];
    }
    const passed = holds(observed, threshold.op, threshold.limit);
    const upper = threshold.op === '<' || threshold.op === '<=';
    return {
      ...threshold,
      unit,
      observed,
      passed,
      margin: round(upper ? observed - threshold.limit : threshold.limit - observed),
      culprits: passed ? [] : culpritsOf(threshold, calls),
    };
  });
}

/** The results of one project (environment) of the run. */
export interface ProjectThresholds {
  project: string;
  results: ThresholdResult[];
}

const amount = (value: number, unit: Unit) =>
  unit === 'ms' ? `${value} ms` : unit === '%' ? `${value}%` : `${value} calls`;

function verdictOf(r: ThresholdResult): string {
  if (r.observed === undefined || r.margin === undefined) return r.reason ?? 'not measured';
  if (!r.passed) {
    if (r.margin === 0) return 'at the limit';
    // A ceiling (`<`) is breached from above, a floor (`>`, coverage) from below.
    const side = r.op.startsWith('<') ? 'over' : 'short';
    return `${side} by ${amount(Math.abs(r.margin), r.unit)}`;
  }
  return `headroom ${amount(Math.abs(r.margin), r.unit)}`;
}

const culpritText = (c: Culprit) =>
  `${c.durationMs} ms ${c.call} → ${c.status ?? 'no response'}${c.attempts > 1 ? ` (${c.attempts} attempts)` : ''} — ${c.test}`;

function rows(results: readonly ThresholdResult[]): string[][] {
  return results.map((r) => [
    r.passed ? 'ok' : 'BREACHED',
    r.clause,
    r.observed === undefined ? '—' : amount(r.observed, r.unit),
    `${r.op} ${amount(r.limit, r.unit)}`,
    verdictOf(r),
  ]);
}

const HEADER = ['', 'threshold', 'observed', 'limit', 'margin'];
const breaches = (p: ProjectThresholds) => p.results.filter((r) => !r.passed);

function projectHeadline(p: ProjectThresholds): string {
  const n = breaches(p).length;
  return `API thresholds (${p.project}): ${n === 0 ? 'all' : `${n} of`} ${p.results.length} ${n === 0 ? 'met' : 'breached'}`;
}

/** The verdicts as aligned plain text for the terminal, breaches first, with the calls behind them. */
export function formatThresholdTable(projects: readonly ProjectThresholds[]): string {
  return projects
    .map((p) => {
      const ordered = [...breaches(p), ...p.results.filter((r) => r.passed)];
      const lines = [projectHeadline(p)];
      alignColumns([HEADER, ...rows(ordered)]).forEach((line, i) => {
        lines.push(`  ${line}`);
        const result = i === 0 ? undefined : ordered[i - 1];
        for (const c of result?.culprits ?? []) lines.push(`      ${culpritText(c)}`);
      });
      return lines.join('\n');
    })
    .join('\n\n');
}

/** The verdicts as Markdown, for the CI job summary and the Allure report's global attachments. */
export function formatThresholdMarkdown(projects: readonly ProjectThresholds[]): string {
  const cell = (text: string) => text.replaceAll('|', '\\|');
  const sections = projects.map((p) => {
    const ordered = [...breaches(p), ...p.results.filter((r) => r.passed)];
    const table = [HEADER.map((h, i) => (i === 0 ? 'verdict' : h)), HEADER.map(() => '---')]
      .concat(rows(ordered))
      .map((r) => `| ${r.map(cell).join(' | ')} |`);
    const culprits = ordered.flatMap((r) =>
      r.culprits.map((c) => `- \`${r.clause}\`: ${cell(culpritText(c))}`),
    );
    return [
      `#### ${projectHeadline(p)}`,
      '',
      ...table,
      '',
      ...(culprits.length > 0 ? [...culprits, ''] : []),
    ].join('\n');
  });
  return ['### API thresholds', '', ...sections].join('\n');
}
