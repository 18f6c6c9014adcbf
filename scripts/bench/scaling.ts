import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import path from 'node:path';

import { type Benchmark, type Figure } from './benchmark';
import { formatMs, spreadOf } from './stats';

const WORKERS = [1, 2, 4];
const REPO_ROOT = path.resolve(__dirname, '..', '..');
/** Away from 4010/4011, which the suite and other people's runs use. */
const FIRST_PORT = 4600;

async function isFree(port: number): Promise<boolean> {
  const probe = createServer();
  probe.once('error', () => undefined);
  probe.listen(port, '127.0.0.1');
  const [event] = (await Promise.race([once(probe, 'listening'), once(probe, 'error')])) as [
    unknown,
  ];
  if (event instanceof Error) return false;
  probe.close();
  await once(probe, 'close');
  return true;
}

async function freePortFrom(first: number): Promise<number> {
  for (let port = first; port < first + 200; port += 1) if (await isFree(port)) return port;
  throw new Error(`no free port between ${first} and ${first + 199}`);
}

interface SuiteRun {
  ms: number;
  passed: number;
  failed: boolean;
}

/** Runs the suite on `local` with `workers` workers, its own port and output folder; wall-clock time. */
async function runSuite(workers: number, outputDir: string, port: number): Promise<SuiteRun> {
  const started = performance.now();
  const child = spawn(
    path.join(REPO_ROOT, 'node_modules', '.bin', 'playwright'),
    ['test', '--project=local', `--workers=${workers}`, '--reporter=dot'],
    {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        LOCAL_PORT: String(port),
        PW_OUTPUT_DIR: outputDir,
        PW_REPORTS_DIR: outputDir,
      },
    },
  );
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const [code] = (await once(child, 'exit')) as [number | null];
  const ms = performance.now() - started;
  const passed = Number(/(\d+) passed/.exec(output)?.[1] ?? 0);
  return { ms, passed, failed: code !== 0 };
}

/**
 * Wall-clock time of the whole suite on `local` (server start included, as a user waits for it)
 * with 1, 2 and 4 workers; each repetition runs every worker count, in reverse order every other
 * time, and the speed-up is the 1-worker time of that repetition divided by the N-worker time.
 */
export const scaling: Benchmark = {
  name: 'scaling',
  title: 'the suite on `local`: 1-worker time ÷ N-worker time',
  async run({ quick, workDir, progress }) {
    if (quick) {
      progress('scaling: skipped in --quick (it runs the whole suite 6 times); use --only scaling');
      return [];
    }
    const repetitions = 2;
    const times = new Map<number, SuiteRun[]>(WORKERS.map((n) => [n, []]));
    for (let rep = 0; rep < repetitions; rep += 1) {
      const order = rep % 2 === 0 ? WORKERS : [...WORKERS].reverse();
      for (const workers of order) {
        const port = await freePortFrom(FIRST_PORT);
        const run = await runSuite(
          workers,
          path.join(workDir, 'scaling', `w${workers}-r${rep + 1}`),
          port,
        );
        times.get(workers)?.push(run);
        progress(
          `scaling ${rep + 1}/${repetitions}: ${workers} worker(s) ${formatMs(run.ms)}, ${run.passed} passed${run.failed ? ', SOME FAILED' : ''}`,
        );
      }
    }
    const single = times.get(1) ?? [];
    const failures = [...times.values()].flat().filter((run) => run.failed).length;
    return WORKERS.filter((n) => n > 1).map((workers): Figure => {
      const runs = times.get(workers) ?? [];
      const ratio = spreadOf(runs.map((run, index) => (single[index]?.ms ?? NaN) / run.ms));
      return {
        benchmark: 'scaling',
        figure: `speed-up with ${workers} workers (1 worker ÷ ${workers})`,
        ratio,
        met: undefined,
        detail: `median ${formatMs(spreadOf(single.map((r) => r.ms)).median)} vs ${formatMs(spreadOf(runs.map((r) => r.ms)).median)}, ${runs[0]?.passed ?? 0} tests${failures > 0 ? `; ${failures} run(s) had failures` : ''}`,
      };
    });
  },
};
