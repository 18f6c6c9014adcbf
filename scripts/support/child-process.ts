import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
/** Playwright's command line, run with `node` so that no package manager sits in between. */
export const PLAYWRIGHT_CLI = require.resolve('@playwright/test/cli');

/** How a child process ended and what it printed. */
export interface ChildRun {
  /** Null when a signal ended it (a timeout's kill, say). */
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved as they arrived. */
  output: string;
  durationMs: number;
}

export interface RunNodeOptions {
  env?: NodeJS.ProcessEnv;
  /** The repository root unless given. */
  cwd?: string;
  /** Only against a hang: a child still running by then is killed. */
  timeoutMs?: number;
  /** In its own process group, so a Ctrl-C in the terminal does not reach it. */
  detached?: boolean;
}

/** A child process still running: the process, its end, and a wait for something it prints. */
export interface RunningChild {
  child: ChildProcess;
  done: Promise<ChildRun>;
  /** Resolves with the match once stdout matches; rejects if the child ends first. */
  waitForStdout(pattern: RegExp): Promise<RegExpMatchArray>;
}

/** Starts `node <args>` with its output collected; see {@link runNode} to wait for its end. */
export function startNode(args: readonly string[], options: RunNodeOptions = {}): RunningChild {
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: options.cwd ?? REPO_ROOT,
    env: options.env ?? process.env,
    detached: options.detached ?? false,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { stdout: '', stderr: '', output: '' };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out.stdout += chunk;
    out.output += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    out.stderr += chunk;
    out.output += chunk;
  });
  const timer =
    options.timeoutMs === undefined
      ? undefined
      : setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
  const done = new Promise<ChildRun>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (exitCode: number | null) => {
      clearTimeout(timer);
      resolve({ ...out, exitCode, durationMs: Math.round(performance.now() - started) });
    });
  });
  const waitForStdout = (pattern: RegExp) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      // Listeners run in the order they were added: by now `out.stdout` holds the new chunk.
      const check = () => {
        const match = pattern.exec(out.stdout);
        if (match === null) return;
        child.stdout.off('data', check);
        resolve(match);
      };
      child.stdout.on('data', check);
      check();
      done.then(({ exitCode, output }) => {
        reject(
          new Error(`exited (${String(exitCode)}) before printing ${String(pattern)}:\n${output}`),
        );
      }, reject);
    });
  return { child, done, waitForStdout };
}

/** Runs `node <args>` to its end, collecting its output: how every script and test runs a program. */
export function runNode(args: readonly string[], options: RunNodeOptions = {}): Promise<ChildRun> {
  return startNode(args, options).done;
}

/**
 * Variables a child run must not inherit: the parent worker's own, environment settings and real
 * credentials from the shell, the embedded server's settings, log level, colour and CI switches.
 */
const NOT_INHERITED =
  /^(TEST|PW|PLAYWRIGHT|DOTENV|MOCK|LOCAL|STAGING|QA|PRODUCTION)_|_(BASE_URL|API_TOKEN)$|^(GITHUB_STEP_SUMMARY|FORCE_COLOR|NO_COLOR|LOG_LEVEL|CI)$/;

/**
 * The parent's environment minus anything that would tie a child run to it, and no `.env` (dotenv
 * reads a file that does not exist), so each run states exactly what it sets in `extra`.
 */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env))
    if (!NOT_INHERITED.test(name)) env[name] = value;
  return { ...env, DOTENV_CONFIG_PATH: path.join(REPO_ROOT, '.tmp/no-such.env'), ...extra };
}

/**
 * A program's own lines of stderr: Node may add warnings of its own there (`(node:123) Warning: …`
 * and `(Use \`node --trace-warnings …\` …)`), depending on its version and NODE_OPTIONS, which
 * another machine sets differently. Blank lines are dropped too.
 */
export function ownLines(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((line) => line.trim() !== '')
    .filter((line) => !/^\(node:\d+\) |^\(Use `node --trace-/.test(line));
}

/** Runs `playwright <args>` from the repository root, uncoloured, and collects its output. */
export function runPlaywright(
  args: readonly string[],
  env: NodeJS.ProcessEnv = childEnv(),
  options: Omit<RunNodeOptions, 'env'> = {},
): Promise<ChildRun> {
  return runNode([PLAYWRIGHT_CLI, ...args], { ...options, env: { NO_COLOR: '1', ...env } });
}
