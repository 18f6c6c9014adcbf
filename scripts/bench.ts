/**
 * `npm run bench`: the framework's benchmarks, each figure a ratio of two things measured side by
 * side in this run (interleaved, repeated), reported as median and spread. Prints a Markdown table
 * on stdout (progress on stderr) and writes bench-results.json.
 *
 *   npm run bench                      all benchmarks, about 10 minutes
 *   npm run bench -- --quick           fewer repetitions, no suite scaling, about 4 minutes
 *   npm run bench -- --only polling    one benchmark (repeat --only, or comma-separate, for more)
 *
 * Goals missed are reported, not failed: the exit code is 1 only when a benchmark could not run.
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';

import { type Benchmark, type Figure, goalLabel } from './bench/benchmark';
import { faults } from './bench/faults';
import { overhead } from './bench/overhead';
import { pacing } from './bench/pacing';
import { polling } from './bench/polling';
import { scaling } from './bench/scaling';
import { suitePacing } from './bench/suite-pacing';
import { throughput } from './bench/throughput';

const BENCHMARKS: Benchmark[] = [
  overhead,
  polling,
  faults,
  pacing,
  suitePacing,
  throughput,
  scaling,
];
const REPO_ROOT = path.resolve(__dirname, '..');
const RESULTS_FILE = path.join(REPO_ROOT, 'bench-results.json');

interface CommandLine {
  quick: boolean;
  only: string[];
  help: boolean;
}

function parseArgs(args: readonly string[]): CommandLine {
  const parsed: CommandLine = { quick: false, only: [], help: false };
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    if (arg === '--quick') parsed.quick = true;
    else if (arg === '--help' || arg === '-h') parsed.help = true;
    else if (arg === '--only' || arg.startsWith('--only=')) {
      const value = arg === '--only' ? args[++index] : arg.slice('--only='.length);
      if (value === undefined || value === '') throw new Error('--only needs a benchmark name');
      parsed.only.push(...value.split(',').map((name) => name.trim()));
    } else throw new Error(`unknown option "${arg}": see npm run bench -- --help`);
  }
  const names = BENCHMARKS.map((b) => b.name);
  const unknown = parsed.only.filter((name) => !names.includes(name));
  if (unknown.length > 0) {
    throw new Error(`no benchmark named ${unknown.join(', ')}: choose from ${names.join(', ')}`);
  }
  return parsed;
}

function usage(): string {
  return [
    'Usage: npm run bench -- [--quick] [--only NAME[,NAME]]',
    '',
    '  --quick   fewer repetitions and shorter runs (about 4 minutes); skips suite scaling',
    '  --only    run only these benchmarks',
    '',
    'Benchmarks:',
    ...BENCHMARKS.map((b) => `  ${b.name.padEnd(11)} ${b.title}`),
  ].join('\n');
}

const fixed = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : 'n/a');

/** The results as a Markdown table, ready to paste into docs/performance.md. */
function renderTable(figures: readonly Figure[]): string {
  const header = [
    'Benchmark',
    'Figure',
    'Median ratio',
    'Min–max (n)',
    'IQR',
    'Goal',
    'Met',
    'Detail',
  ];
  const rows = figures.map((f) => [
    f.benchmark,
    f.figure,
    fixed(f.ratio.median),
    `${fixed(f.ratio.min)}–${fixed(f.ratio.max)} (${f.ratio.n})`,
    `${fixed(f.ratio.q1)}–${fixed(f.ratio.q3)}`,
    goalLabel(f.goal),
    f.met === undefined ? '—' : f.met ? 'yes' : '**no**',
    f.detail,
  ]);
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

async function main(): Promise<void> {
  let command: CommandLine;
  try {
    command = parseArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
    return;
  }
  if (command.help) {
    process.stdout.write(`${usage()}\n`);
    return;
  }
  const selected = BENCHMARKS.filter(
    (b) => command.only.length === 0 || command.only.includes(b.name),
  );
  const startedAt = new Date();
  const workDir = path.join(REPO_ROOT, '.tmp', 'bench', startedAt.toISOString().replace(/:/g, '-'));
  const progress = (line: string) => {
    process.stderr.write(`  ${line}\n`);
  };
  const loadBefore = loadavg();
  const figures: Figure[] = [];
  const errors: { benchmark: string; error: string }[] = [];
  for (const benchmark of selected) {
    const began = performance.now();
    process.stderr.write(`${benchmark.name}: ${benchmark.title}\n`);
    try {
      figures.push(...(await benchmark.run({ quick: command.quick, workDir, progress })));
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      errors.push({ benchmark: benchmark.name, error: message });
      process.stderr.write(`${benchmark.name} could not run: ${message}\n`);
    }
    process.stderr.write(
      `${benchmark.name}: ${((performance.now() - began) / 1000).toFixed(0)} s\n`,
    );
  }
  const finishedAt = new Date();
  const seconds = (finishedAt.getTime() - startedAt.getTime()) / 1000;
  const loadAfter = loadavg();

  process.stdout.write(`\n${renderTable(figures)}\n\n`);
  process.stdout.write(
    `${command.quick ? 'quick run' : 'full run'} in ${seconds.toFixed(0)} s on ${cpus().length} CPUs, ` +
      `load average ${loadBefore[0]?.toFixed(1) ?? '?'} before, ${loadAfter[0]?.toFixed(1) ?? '?'} after; ` +
      `ratios judged on the median; written to ${path.relative(process.cwd(), RESULTS_FILE)}\n`,
  );
  writeFileSync(
    RESULTS_FILE,
    `${JSON.stringify(
      {
        startedAt: startedAt.toISOString(),
        finishedAt: finishedAt.toISOString(),
        seconds,
        quick: command.quick,
        only: command.only,
        machine: {
          cpus: cpus().length,
          cpuModel: cpus()[0]?.model,
          node: process.version,
          loadAverageBefore: loadBefore,
          loadAverageAfter: loadAfter,
        },
        figures,
        errors,
      },
      null,
      2,
    )}\n`,
  );
  if (errors.length > 0) {
    process.stderr.write(`bench: ${errors.map((e) => e.benchmark).join(', ')} could not run\n`);
    process.exitCode = 1;
  }
}

void main();
