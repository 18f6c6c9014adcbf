import fs from 'node:fs';

import { z } from 'zod';

import { API_CALLS_ATTACHMENT } from './api-steps';

/** The part of a CallRecord that the `api-calls.json` attachment carries and the summary needs. */
export const recordedCallSchema = z.object({
  method: z.string(),
  path: z.string(),
  route: z.string(),
  status: z.number().optional(),
  durationMs: z.number(),
  attempts: z.number(),
  retries: z.array(z.unknown()).readonly(),
  /**
   * True for a call of a test that scripts the server's faults itself (the `deliberateFaults`
   * fixture): a 5xx or a missing answer there is the point of the test, not an alarm.
   */
  deliberate: z.boolean().optional(),
});
export type RecordedCall = z.infer<typeof recordedCallSchema>;

const recordedCallsSchema = z.array(recordedCallSchema);

/**
 * The calls a test recorded in its `api-calls.json` attachment (the `users` fixture attaches it):
 * structured data for every reporter that counts calls or retries, so none re-parses step titles.
 */
export function recordedCallsOf(
  attachments: readonly { name: string; body?: Buffer | undefined; path?: string | undefined }[],
): RecordedCall[] {
  return attachments.flatMap(({ name, body, path }) => {
    if (name !== API_CALLS_ATTACHMENT) return [];
    const bytes = body ?? (path === undefined ? undefined : fs.readFileSync(path));
    try {
      return recordedCallsSchema.parse(JSON.parse(bytes?.toString('utf8') ?? ''));
    } catch {
      return []; // a foreign attachment of the same name: not ours to count
    }
  });
}

/** Sends beyond the first, summed over calls: the API client's retries. */
export function retriesOf(calls: readonly Pick<RecordedCall, 'attempts'>[]): number {
  return calls.reduce((sum, call) => sum + call.attempts - 1, 0);
}

/** One call as the summary sees it: the call and the test that made it. */
export interface ObservedCall {
  test: string;
  call: RecordedCall;
}

export interface EndpointHealth {
  /** `POST /users`, `GET /users/:id`. */
  endpoint: string;
  requests: number;
  /** Final statuses by code; `none` counts calls that got no response. */
  statuses: Record<string, number>;
  /** Extra sends beyond the first, summed over the endpoint's calls. */
  retries: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
}

export interface SlowCall {
  test: string;
  call: string;
  status: number | undefined;
  durationMs: number;
  attempts: number;
}

export interface ApiHealthSummary {
  calls: number;
  retries: number;
  /** Calls that ended in a 5xx or with no response, after retries, other than deliberate ones. */
  failedCalls: number;
  /** Calls that so ended under a fault their test scripted on purpose (see `deliberate`). */
  deliberateFailures: number;
  endpoints: EndpointHealth[];
  slowest: SlowCall[];
}

/** Nearest-rank percentile of an ascending list; 0 for an empty one. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] ?? 0;
}

const endpointOf = (call: RecordedCall) => `${call.method} /${call.route}`;

/** Requests, statuses, retries and latency per endpoint, busiest first, plus the slowest calls. */
export function summarizeApiHealth(
  observed: readonly ObservedCall[],
  slowestCount = 5,
): ApiHealthSummary {
  const groups = new Map<string, RecordedCall[]>();
  for (const { call } of observed) {
    const key = endpointOf(call);
    groups.set(key, [...(groups.get(key) ?? []), call]);
  }
  const endpoints = [...groups].map(([endpoint, calls]): EndpointHealth => {
    const durations = calls.map((c) => c.durationMs).sort((a, b) => a - b);
    const statuses: Record<string, number> = {};
    for (const c of calls) {
      const key = c.status === undefined ? 'none' : String(c.status);
      statuses[key] = (statuses[key] ?? 0) + 1;
    }
    return {
      endpoint,
      requests: calls.length,
      statuses,
      retries: retriesOf(calls),
      p50Ms: percentile(durations, 50),
      p95Ms: percentile(durations, 95),
      maxMs: durations.at(-1) ?? 0,
    };
  });
  endpoints.sort((a, b) => b.requests - a.requests || a.endpoint.localeCompare(b.endpoint));
  const slowest = [...observed]
    .sort((a, b) => b.call.durationMs - a.call.durationMs)
    .slice(0, slowestCount)
    .map(({ test, call }) => ({
      test,
      call: `${call.method} /${call.path.replace(/\?$/, '')}`,
      status: call.status,
      durationMs: call.durationMs,
      attempts: call.attempts,
    }));
  const failed = observed.filter(({ call }) => call.status === undefined || call.status >= 500);
  return {
    calls: observed.length,
    retries: endpoints.reduce((sum, e) => sum + e.retries, 0),
    failedCalls: failed.filter(({ call }) => call.deliberate !== true).length,
    deliberateFailures: failed.filter(({ call }) => call.deliberate === true).length,
    endpoints,
    slowest,
  };
}

const statusText = (statuses: Record<string, number>) =>
  Object.entries(statuses)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([status, count]) => `${status}×${count}`)
    .join(' ');

const ENDPOINT_HEADER = [
  'endpoint',
  'requests',
  'statuses',
  'retries',
  'p50 ms',
  'p95 ms',
  'max ms',
];

function endpointRows(summary: ApiHealthSummary): string[][] {
  return summary.endpoints.map((e) => [
    e.endpoint,
    String(e.requests),
    statusText(e.statuses),
    String(e.retries),
    String(e.p50Ms),
    String(e.p95Ms),
    String(e.maxMs),
  ]);
}

const slowRow = (s: SlowCall) => [
  String(s.durationMs),
  `${s.call} → ${s.status ?? 'no response'}${s.attempts > 1 ? ` (${s.attempts} attempts)` : ''}`,
  s.test,
];

function headline(summary: ApiHealthSummary, project?: string): string {
  const { deliberateFailures: deliberate } = summary;
  const scripted =
    deliberate === 0 ? '' : ` (and ${deliberate} deliberately, under deliberate faults)`;
  return `API health${project === undefined ? '' : ` (${project})`}: ${summary.calls} calls, ${summary.retries} retries, ${summary.failedCalls} ended in 5xx or no response${scripted}`;
}

/** The summary as aligned plain-text tables for the terminal; `project` names the run's project. */
export function formatApiHealthTable(summary: ApiHealthSummary, project?: string): string {
  if (summary.calls === 0)
    return `API health${project === undefined ? '' : ` (${project})`}: no API calls were recorded`;
  const lines = [
    headline(summary, project),
    ...alignColumns([ENDPOINT_HEADER, ...endpointRows(summary)]),
  ];
  lines.push('Slowest calls:', ...alignColumns(summary.slowest.map(slowRow)).map((l) => `  ${l}`));
  return lines.join('\n');
}

/** The summary as Markdown, for CI job summaries and report attachments; `project` names the run's project. */
export function formatApiHealthMarkdown(summary: ApiHealthSummary, project?: string): string {
  const table = (header: string[], rows: string[][]) =>
    [header, header.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
  const title = `### API health${project === undefined ? '' : ` (${project})`}`;
  if (summary.calls === 0) return `${title}\n\nNo API calls were recorded.\n`;
  return [
    title,
    '',
    headline(summary, project),
    '',
    table(ENDPOINT_HEADER, endpointRows(summary)),
    '',
    '#### Slowest calls',
    '',
    table(['ms', 'call', 'test'], summary.slowest.map(slowRow)),
    '',
  ].join('\n');
}

/** Rows as columns padded to a common width, the last left ragged. */
export function alignColumns(rows: readonly string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows)
    row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}
