import { routeOf } from '../http/api-observer';

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

export type Unit = 'ms' | '%' | 'calls';

export const unitOf = (metric: ThresholdMetric): Unit =>
  (LATENCY_METRICS as readonly string[]).includes(metric)
    ? 'ms'
    : metric === 'requests'
      ? 'calls'
      : '%';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];
export const isApiMetric = (m: string): m is ApiMetric =>
  (API_METRICS as readonly string[]).includes(m);
export const isCoverageMetric = (m: string): m is CoverageMetric =>
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
  const path = (match[2] ?? '')
    .split('/')
    .filter((s) => s !== '')
    .join('/');
  return `${method} /${routeOf(path)}`;
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
