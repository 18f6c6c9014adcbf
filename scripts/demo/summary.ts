import type { CallRecorder } from './call-recorder';

export type Outcome = 'passed' | 'failed' | 'interrupted';

export interface SummaryInput {
  where: string;
  recorder: CallRecorder;
  steps: { passed: number; failed: number };
  created: number;
  leftBehind: readonly string[];
  scenarioMs: number;
  totalMs: number;
  outcome: Outcome;
  colour: boolean;
}

const ANSI = { bold: 1, dim: 2, red: 31, green: 32, yellow: 33 } as const;

/** The closing table: operations per kind with retries, statuses and time, then the verdict. */
export function renderSummary(input: SummaryInput): string {
  const paint = (code: keyof typeof ANSI, text: string) =>
    input.colour ? `\u001b[${ANSI[code]}m${text}\u001b[0m` : text;

  const rows = [...input.recorder.byKind.entries()].map(([kind, totals]) => [
    kind,
    String(totals.calls),
    String(totals.retries),
    String(totals.durationMs),
    [...totals.statuses.entries()].map(([status, n]) => `${status}×${n}`).join(' '),
  ]);
  const sum = (column: number) => rows.reduce((total, row) => total + Number(row[column]), 0);
  const header = ['operation', 'calls', 'retries', 'time ms', 'statuses'];
  const total = ['total', String(sum(1)), String(sum(2)), String(sum(3)), ''];
  const table = [header, ...rows, total];
  const widths = header.map((_, column) =>
    Math.max(...table.map((row) => (row[column] ?? '').length)),
  );
  const format = (row: string[]) =>
    row
      .map((cell, column) =>
        column === 0 || column === row.length - 1
          ? cell.padEnd(widths[column] ?? 0)
          : cell.padStart(widths[column] ?? 0),
      )
      .join('  ')
      .trimEnd();

  const verdict =
    input.outcome === 'passed'
      ? paint('green', 'PASSED')
      : input.outcome === 'interrupted'
        ? paint('yellow', 'INTERRUPTED')
        : paint('red', 'FAILED');
  const left =
    input.leftBehind.length === 0
      ? 'none left behind'
      : paint('red', `left behind: ${input.leftBehind.join(', ')}`);
  const lines = [
    '',
    paint('bold', `Summary: ${input.where}`),
    `  ${paint('bold', format(header))}`,
    ...rows.map((row) => `  ${format(row)}`),
    `  ${paint('bold', format(total))}`,
    '',
    `  steps: ${input.steps.passed} passed, ${input.steps.failed} failed · users: ${input.created} created, ${left}`,
    `  retries: ${input.recorder.retries} · scenario ${seconds(input.scenarioMs)} · total ${seconds(input.totalMs)}`,
    `  ${verdict}`,
    '',
  ];
  return lines.join('\n');
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}
