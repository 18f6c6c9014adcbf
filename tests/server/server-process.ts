import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';

const repoRoot = path.resolve(__dirname, '../..');

/**
 * How the server's command line is run: node itself on the launcher that `npm run mock-server`
 * runs (server/launch.mjs: a bundle of server/main.ts), one process whose exit code and output are
 * the program's own. Not `npm run` or `npx`, whose warnings and exit codes
 * depend on the machine's npm and its configuration.
 */
const entryPoint = ['server/launch.mjs'];

/** The line the server prints once it listens; its port is the one it actually bound. */
const listeningLine = /^mock server listening on http:\/\/[^\s:]+:(\d+)\S*\r?\n/m;

/** This process's environment without MOCK_* variables, so only what a test sets applies. */
function cleanEnv(extra: Readonly<Record<string, string>>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('MOCK_')),
  );
  return { ...env, ...extra };
}

function spawnServer(args: readonly string[], env: Readonly<Record<string, string>>) {
  return spawn(process.execPath, [...entryPoint, ...args], {
    cwd: repoRoot,
    env: cleanEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** What a finished run of the command line printed, and how it ended. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `server/main.ts` with these arguments to completion, as a user would. */
export async function runServerCli(
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): Promise<CliRun> {
  const child = spawnServer(args, env);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}

/** A server started from its command line, listening. */
export interface ServerProcess {
  child: ChildProcess;
  /** The port it reported listening on. */
  port: number;
  /** The line it printed once listening. */
  listeningLine: string;
  /** Everything it has printed so far, stdout and stderr interleaved. */
  output: () => string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop: () => Promise<number | null>;
}

/**
 * Starts `server/main.ts` and resolves once it says it is listening. Pass `--port 0` (or
 * MOCK_PORT=0) to let the system pick a free port: the server reports the one it bound, so
 * nothing can take it in between. Rejects with the output if the process ends first.
 */
export async function startServerProcess(
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): Promise<ServerProcess> {
  const child = spawnServer(args, env);
  let output = '';
  let stdout = '';
  const exited = once(child, 'exit') as Promise<[number | null]>;
  const stop = async (): Promise<number | null> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const [code] = await exited;
    return code;
  };
  const match = await new Promise<RegExpExecArray>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      stdout += chunk.toString();
      const found = listeningLine.exec(stdout);
      if (found !== null) resolve(found);
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    exited.then(([code]) => {
      reject(new Error(`server exited with ${String(code)} before listening:\n${output}`));
    }, reject);
  });
  return {
    child,
    port: Number(match[1]),
    listeningLine: match[0].trimEnd(),
    output: () => output,
    stop,
  };
}

export { freePort } from '../../scripts/support/embedded-server';
