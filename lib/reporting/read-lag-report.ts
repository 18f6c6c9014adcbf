import type { ReadLagSummary } from '../http/read-lag';

/** One project's learned read lag, as the health summary prints it (lib/http/read-lag.ts). */
export function formatReadLag(project: string, lag: ReadLagSummary): string {
  if (lag.highMs === undefined || lag.boundMs >= lag.ceilingMs)
    return `Read lag (${project}): bound ${lag.ceilingMs} ms, the configured ceiling (${lag.samples} lag${lag.samples === 1 ? '' : 's'} observed${lag.highMs === undefined ? '' : `, p95 ${Math.round(lag.highMs)} ms`})`;
  return `Read lag (${project}): learned bound ${lag.boundMs} ms from ${lag.samples} observed lags (p95 ${Math.round(lag.highMs)} ms × 2 + 100 ms; ceiling ${lag.ceilingMs} ms)`;
}
