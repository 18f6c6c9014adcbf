import type { Spread } from './stats';

/** What a figure is held to: a ratio at most or at least `limit`. */
export interface Goal {
  kind: 'at-most' | 'at-least';
  limit: number;
  /** How the goal reads in the table, when it is not just the limit (e.g. `≤ 1.25 + 100 ms`). */
  label?: string;
}

/** One line of the results table: a ratio measured side by side, repeated, with its spread. */
export interface Figure {
  benchmark: string;
  /** What is divided by what, e.g. `UsersApi ÷ raw APIRequestContext`. */
  figure: string;
  ratio: Spread;
  /** Absent for figures reported without a goal (the parallel speed-up). */
  goal?: Goal;
  /** Judged on the median; undefined when there is no goal. */
  met: boolean | undefined;
  /** The absolute numbers behind the ratio, for the reader. */
  detail: string;
}

export interface BenchOptions {
  /** A short run (about 2 minutes in all): fewer repetitions and shorter measurements. */
  quick: boolean;
  /** Scratch folder for this run (server logs, Playwright output). */
  workDir: string;
  /** Progress lines, on stderr so stdout keeps only the table. */
  progress: (line: string) => void;
}

export interface Benchmark {
  name: string;
  /** One line saying what is measured. */
  title: string;
  run(options: BenchOptions): Promise<Figure[]>;
}

/** Whether a median ratio meets its goal. */
export function meets(goal: Goal | undefined, median: number): boolean | undefined {
  if (goal === undefined) return undefined;
  return goal.kind === 'at-most' ? median <= goal.limit : median >= goal.limit;
}

/** The goal as the table shows it: `≤ 1.10`, `≥ 0.60`. */
export function goalLabel(goal: Goal | undefined): string {
  if (goal === undefined) return '—';
  return goal.label ?? `${goal.kind === 'at-most' ? '≤' : '≥'} ${goal.limit.toFixed(2)}`;
}
