/**
 * `npm test`: everything CI runs, in two lanes side by side. The framework's and the suite's
 * Playwright projects spend much of their time waiting (read lag, pacing, child processes that
 * retry), so the other lane's work, which is mostly CPU, fits into those waits on two cores:
 *
 *   lane 1: playwright test --project=unit … --project=reporting   (its output as it comes)
 *   lane 2: npm run check                                           (its output when it ends)
 *   then, each taken by whichever lane is free first:
 *           the sensitivity check, the model-based sensitivity check (each its output when it ends)
 *
 * A lane stops at its first failing step, as `&&` would, and takes no more; the other runs on, so
 * one run names every failure. Ends with each step's wall time, then the last lines of each failed
 * step again (a failing test's name would otherwise sit far above the other lane's output), and
 * exit code 1 if any step failed.
 *
 *   npm test
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const PROJECTS = ['unit', 'server', 'local', 'local-faults', 'scripts', 'reporting'];

interface Step {
  name: string;
  command: readonly string[];
  /** Printed as it comes (one lane only may), or held and printed whole at the step's end. */
  live: boolean;
}

interface Outcome {
  name: string;
  exitCode: number | null;
  seconds: number;
  /** The end of what the step printed, repeated at the end when it failed. */
  tail: string;
  /** CPU seconds the step and every process it waited for used, where bash can tell. */
  cpuSeconds: number | undefined;
}

/** How much of a failed step's output is repeated at the end: its failure summary, not its log. */
const TAIL_LINES = 60;

const npm = (...args: string[]): readonly string[] => [
  process.platform === 'win32' ? 'npm.cmd' : 'npm',
  ...args,
];

/** The first step of each lane. */
const FIRST: readonly Step[] = [
  {
    name: 'playwright projects',
    command: [
      process.execPath,
      require.resolve('@playwright/test/cli'),
      'test',
      ...PROJECTS.map((p) => `--project=${p}`),
    ],
    live: true,
  },
  { name: 'check', command: npm('run', '--silent', 'check'), live: false },
];

/**
 * Then these, in order, each taken by the first lane to be free: the sensitivity check starts
 * beside the projects (its defect runs mostly wait), and the model check, which keeps both cores
 * busy while it shrinks, after it.
 */
const SHARED: readonly Step[] = [
  // Two defects at a time: a defect run mostly waits (a Playwright start, polls, the proof's calls).
  {
    name: 'sensitivity',
    command: npm('run', '--silent', 'test:sensitivity', '--', '--concurrency', '2'),
    live: false,
  },
  {
    name: 'model sensitivity',
    command: npm('run', '--silent', 'test:sensitivity:model', '--', '--concurrency', '2'),
    live: false,
  },
];

/** `1m2.500s` → 62.5. */
const bashSeconds = (text: string): number => {
  const [, minutes = '0', seconds = '0'] = /(\d+)m([\d.]+)s/.exec(text) ?? [];
  return Number(minutes) * 60 + Number(seconds);
};

/**
 * The step run under bash, whose `times` then tells the CPU its children used (user and system),
 * written to the file named by CPU_FILE: where the time goes when both cores are busy. Without bash, the step alone.
 */
function withCpuTimes(command: readonly string[]): readonly string[] {
  if (process.platform === 'win32') return command;
  return ['bash', '-c', '"$@"; status=$?; times > "$CPU_FILE"; exit $status', 'step', ...command];
}

function cpuOf(cpuFile: string): number | undefined {
  try {
    // Two lines, the shell's own times, then its children's: `0m1.2s 0m0.3s`.
    const children = readFileSync(cpuFile, 'utf8').trim().split('\n')[1] ?? '';
    const [user = '', system = ''] = children.split(/\s+/);
    return bashSeconds(user) + bashSeconds(system);
  } catch {
    return undefined;
  }
}

function run(step: Step): Promise<Outcome> {
  const started = performance.now();
  const scratch = mkdtempSync(path.join(tmpdir(), 'npm-test-'));
  const cpuFile = path.join(scratch, 'times');
  const [command = '', ...args] = withCpuTimes(step.command);
  // A live step keeps its colours when this terminal has them, though it prints through a pipe.
  const env = {
    ...process.env,
    CPU_FILE: cpuFile,
    ...(step.live && process.stdout.isTTY ? { FORCE_COLOR: '1' } : {}),
  };
  const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let held = '';
  const keep = (chunk: string, through: NodeJS.WriteStream): void => {
    held += chunk;
    if (step.live) through.write(chunk);
  };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    keep(chunk, process.stdout);
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    keep(chunk, process.stderr);
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (exitCode: number | null) => {
      const seconds = (performance.now() - started) / 1000;
      if (!step.live)
        process.stdout.write(
          `\n── ${step.name} (${seconds.toFixed(0)} s, exit ${String(exitCode)}) ──\n${held}\n`,
        );
      const tail = held.trimEnd().split('\n').slice(-TAIL_LINES).join('\n');
      const cpuSeconds = cpuOf(cpuFile);
      rmSync(scratch, { recursive: true, force: true });
      resolve({ name: step.name, exitCode, seconds, tail, cpuSeconds });
    });
  });
}

/** Runs `first`, then takes steps from `queue` while its steps pass. */
async function lane(first: Step, queue: Step[]): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (let step: Step | undefined = first; step !== undefined; step = queue.shift()) {
    const outcome = await run(step);
    outcomes.push(outcome);
    if (outcome.exitCode !== 0) break;
  }
  return outcomes;
}

async function main(): Promise<void> {
  const started = performance.now();
  const queue = [...SHARED];
  const outcomes = (await Promise.all(FIRST.map((step) => lane(step, queue)))).flat();
  const skipped = [...FIRST, ...SHARED]
    .map((s) => s.name)
    .filter((name) => !outcomes.some((o) => o.name === name));
  console.log(
    '\nnpm test, wall time and CPU time of each step (the two lanes ran side by side, on all cores):',
  );
  for (const { name, exitCode, seconds, cpuSeconds } of outcomes) {
    const cpu = cpuSeconds === undefined ? '' : `${cpuSeconds.toFixed(0).padStart(5)} s CPU`;
    console.log(
      `  ${name.padEnd(20)} ${seconds.toFixed(0).padStart(5)} s ${cpu.padEnd(11)} ${exitCode === 0 ? 'passed' : `FAILED (exit ${String(exitCode)})`}`,
    );
  }
  for (const name of skipped)
    console.log(`  ${name.padEnd(20)}     —    not run: each lane stopped at a failed step`);
  const cpu = outcomes.reduce((sum, o) => sum + (o.cpuSeconds ?? 0), 0);
  console.log(
    `  ${'total'.padEnd(20)} ${((performance.now() - started) / 1000).toFixed(0).padStart(5)} s ${cpu.toFixed(0).padStart(5)} s CPU`,
  );
  const failed = outcomes.filter((o) => o.exitCode !== 0);
  for (const { name, tail } of failed)
    console.log(`\n── ${name} failed; the end of its output again ──\n${tail}`);
  if (failed.length > 0) process.exit(1);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
