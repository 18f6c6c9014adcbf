import { alignColumns, type ObservedCall, percentile, type RecordedCall } from './api-health';

/**
 * Service-level thresholds in k6's spirit: `<target> <metric><op><value>` clauses separated by `;`,
 * judged at the end of a run on the calls the run itself recorded, e.g.
 * `GET /users/:id p95<800; * errors<1%; * retries<5%; coverage operations>=80%`.
 */

/** Latency of a call in ms: from its first send to its final answer, retries and backoff included. */
export const LATENCY_METRICS = ['p50', 'p90', 'p95', 'p99', 'max', 'avg'] as const;
/**
 * Percentages. `errors`: calls whose final outcome was a 5xx or no response at all, after retries,
 * out of all calls (a 4xx is an answer the API meant, not an error). `retries`: sends that were
 * retries, out of all sends (calls + retries): the share of the traffic spent on retrying.
 */
export const RATE_METRICS = ['errors', 'retries'] as const;
/** How many calls were made (`count` is accepted for it). */
export const COUNT_METRICS = ['requests'] as const;
/** Percentages of the documented API that the run exercised, from the API coverage measurement. */
export const COVERAGE_METRICS = ['operations', 'statuses', 'parameters'] as const;

export const API_METRICS = [...LATENCY_METRICS, ...RATE_METRICS, ...COUNT_METRICS] as const;
export type ApiMetric = (typeof API_METRICS)[number];
export type CoverageMetric = (typeof COVERAGE_METRICS)[number];
export type ThresholdMetric = ApiMetric | CoverageMetric;
export type Comparison = '<' | '<=' | '>' | '>=';

/** Every call of the project. */
export const ALL_CALLS = '*';
/** The API coverage figures of the project. */
export const COVERAGE = 'coverage';

export interface Threshold {
  /** The clause as written (trimmed), which reports quote. */
  clause: string;
  /** `*`, `coverage`, or an endpoint as the health summary names it: `GET /users/:id`. */
  target: string;
  metric: ThresholdMetric;
  op: Comparison;
  /** ms for latency, percent (0–100) for rates and coverage, calls for `requests`. */
  limit: number;
}

/** Percentages (0–100) of the documented operations, status codes and query parameters exercised. */
export interface CoverageFigures {
  operations: number;
  statuses: number;
  parameters: number;
}

export type Unit = 'ms' | '%' | 'calls';

export const unitOf = (metric: ThresholdMetric): Unit =>
  (LATENCY_METRICS as readonly string[]).includes(metric)
    ? 'ms'
    : metric === 'requests'
      ? 'calls'
      : '%';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];
const isApiMetric = (m: string): m is ApiMetric => (API_METRICS as readonly string[]).includes(m);
const isCoverageMetric = (m: string): m is CoverageMetric =>
  (COVERAGE_METRICS as readonly string[]).includes(m);

/**
 * An endpoint in the health summary's form: upper-case method, no trailing slash, and every second
 * segment an id written `:id`, as the summary names it (`/users/{userId}/posts/7` →
 * `/users/:id/posts/:id`). Undefined when it is not `METHOD /path`.
 */
export function normalizeEndpoint(text: string): string | undefined {
  const match = /^([A-Za-z]+)\s+(\/\S*)$/.exec(text.trim());
  if (match === null) return undefined;
  const method = (match[1] ?? '').toUpperCase();
  if (!METHODS.includes(method)) return undefined;
  const segments = (match[2] ?? '')
    .split('/')
    .filter((s) => s !== '')
    .map((segment, index) => (index % 2 === 1 ? ':id' : segment));
  return `${method} /${segments.join('/')}`;
}

const CLAUSE = /^(.*?\S)\s+([A-Za-z]\w*)\s*(<=|>=|<|>|==|=|!=)\s*(.*)$/;
const VALUE = /^(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|%)?$/i;
const SHAPE =
  'expected <target> <metric><op><value>, e.g. "GET /users/:id p95<800" or "* errors<1%"';

/** One clause parsed, or what is wrong with it (without the variable and clause, which the caller adds). */
export function parseClause(clause: string): Threshold | string {
  const match = CLAUSE.exec(clause);
  if (match === null) {
    return /^[A-Za-z]\w*\s*(<=|>=|<|>|=)/.test(clause)
      ? 'the target is missing: start with * (every call), an endpoint such as GET /users/:id, or coverage'
      : SHAPE;
  }
  const [, rawTarget = '', rawMetric = '', op = '', rawValue = ''] = match;
  const metricName = rawMetric.toLowerCase() === 'count' ? 'requests' : rawMetric.toLowerCase();
  if (op !== '<' && op !== '<=' && op !== '>' && op !== '>=')
    return `"${op}" is not a comparison: use <, <=, > or >=`;

  let target: string;
  if (rawTarget === ALL_CALLS) target = ALL_CALLS;
  else if (rawTarget.toLowerCase() === COVERAGE) target = COVERAGE;
  else {
    const endpoint = normalizeEndpoint(rawTarget);
    if (endpoint === undefined)
      return `"${rawTarget}" is not a target: use * (every call), an endpoint such as GET /users/:id, or coverage`;
    target = endpoint;
  }

  let metric: ThresholdMetric;
  if (target === COVERAGE) {
    if (!isCoverageMetric(metricName))
      return `coverage takes ${COVERAGE_METRICS.join(', ')}, not "${rawMetric}", e.g. coverage operations>=80%`;
    if (op !== '>=' && op !== '>')
      return 'coverage is a floor: use >= or >, e.g. coverage operations>=80%';
    metric = metricName;
  } else if (isApiMetric(metricName)) {
    metric = metricName;
  } else if (isCoverageMetric(metricName)) {
    return `${metricName} is a coverage figure: write it as coverage ${metricName}>=80%`;
  } else {
    return `unknown metric "${rawMetric}": use ${API_METRICS.join(', ')} (or count), or coverage ${COVERAGE_METRICS.join('/')}`;
  }

  const value = VALUE.exec(rawValue.trim());
  const number = Number(value?.[1]);
  const unit = value?.[2]?.toLowerCase();
  switch (unitOf(metric)) {
    case 'ms':
      if (value === null || unit === '%')
        return `the value must be a number of ms, e.g. ${metric}<800 (or ${metric}<1.5s)`;
      return { clause, target, metric, op, limit: unit === 's' ? number * 1000 : number };
    case 'calls':
      if (value === null || unit !== undefined || !Number.isInteger(number))
        return `the value must be a whole number of calls, e.g. ${metric}>=10`;
      return { clause, target, metric, op, limit: number };
    case '%':
      if (value === null || unit !== '%')
        return `the value must be a percentage written with %, e.g. ${target === COVERAGE ? 'coverage ' : ''}${metric}${op}${target === COVERAGE ? '80' : '1'}%`;
      if (number > 100) return 'a percentage cannot be above 100%';
      return { clause, target, metric, op, limit: number };
  }
}

/**
 * Parses `<ENV>_THRESHOLDS`. Empty clauses (a trailing `;`) are ignored; each bad clause gives one
 * problem naming the variable and the clause, e.g.
 * `QA_THRESHOLDS: "GET /users/:id p95<eight": the value must be a number of ms, e.g. p95<800`.
 */
export function parseThresholds(
  raw: string | undefined,
  variable: string,
): { thresholds: Threshold[]; problems: string[] } {
  const thresholds: Threshold[] = [];
  const problems: string[] = [];
  for (const clause of (raw ?? '').split(';').map((c) => c.trim())) {
    if (clause === '') continue;
    const parsed = parseClause(clause);
    if (typeof parsed === 'string') problems.push(`${variable}: "${clause}": ${parsed}`);
    else thresholds.push(parsed);
  }
  return { thresholds, problems };
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
  if (!r.passed)
    return r.margin === 0 ? 'at the limit' : `over by ${amount(Math.abs(r.margin), r.unit)}`;
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
