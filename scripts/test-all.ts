/**
 * `npm test`: everything CI runs, in two lanes side by side. The framework's and the suite's
 * Playwright projects spend much of their time waiting (read lag, pacing, child processes that
 * retry), so the other lane's work, which is mostly CPU, fits into those waits on two cores:
 *
 *   lane 1: playwright test --project=unit … --project=reporting   (its output as it comes),
 *           then the model-based sensitivity check                  (its output when it ends)
 *   lane 2: npm run check, then the sensitivity check               (its output when it ends)
 *
 * A lane stops at its first failing step, as `&&` would; the other runs to its end, so one run names
 * every failure. Ends with each step's wall time, and exit code 1 if any step failed.
 *
 *   npm test
 */
import { spawn } from 'node:child_process';
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
}

const npm = (...args: string[]): readonly string[] => [
  process.platform === 'win32' ? 'npm.cmd' : 'npm',
  ...args,
];

const LANES: readonly (readonly Step[])[] = [
  [
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
    {
      name: 'model sensitivity',
      command: npm('run', '--silent', 'test:sensitivity:model', '--', '--concurrency', '2'),
      live: false,
    },
  ],
  [
    { name: 'check', command: npm('run', '--silent', 'check'), live: false },
    { name: 'sensitivity', command: npm('run', '--silent', 'test:sensitivity'), live: false },
  ],
];

function run(step: Step): Promise<Outcome> {
  const started = performance.now();
  const [command = '', ...args] = step.command;
  const child = spawn(command, args, {
    cwd: ROOT,
    stdio: step.live ? 'inherit' : ['ignore', 'pipe', 'pipe'],
  });
  let held = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (held += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (held += chunk));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (exitCode: number | null) => {
      const seconds = (performance.now() - started) / 1000;
      if (!step.live)
        process.stdout.write(
          `\n── ${step.name} (${seconds.toFixed(0)} s, exit ${String(exitCode)}) ──\n${held}\n`,
        );
      resolve({ name: step.name, exitCode, seconds });
    });
  });
}

async function lane(steps: readonly Step[]): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (const step of steps) {
    const outcome = await run(step);
    outcomes.push(outcome);
    if (outcome.exitCode !== 0) break;
  }
  return outcomes;
}

async function main(): Promise<void> {
  const started = performance.now();
  const outcomes = (await Promise.all(LANES.map(lane))).flat();
  const skipped = LANES.flat()
    .map((s) => s.name)
    .filter((name) => !outcomes.some((o) => o.name === name));
  console.log('\nnpm test, wall time of each step (the two lanes ran side by side):');
  for (const { name, exitCode, seconds } of outcomes)
    console.log(
      `  ${name.padEnd(20)} ${seconds.toFixed(0).padStart(5)} s  ${exitCode === 0 ? 'passed' : `FAILED (exit ${String(exitCode)})`}`,
    );
  for (const name of skipped)
    console.log(`  ${name.padEnd(20)}     —    not run: a step before it failed`);
  console.log(
    `  ${'total'.padEnd(20)} ${((performance.now() - started) / 1000).toFixed(0).padStart(5)} s`,
  );
  if (outcomes.some((o) => o.exitCode !== 0)) process.exit(1);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
