import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import path from 'node:path';

import { SetupError } from './setup-error';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
// Generous: on a busy machine, loading TypeScript and fastify alone can take many seconds.
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 5_000;

/** The embedded server, running as a child process of the demo. */
export interface EmbeddedServer {
  /** API root, e.g. `http://127.0.0.1:41234/api/v1`. */
  baseUrl: string;
  /** Control API root, e.g. `http://127.0.0.1:41234/__control`. */
  controlUrl: string;
  stop(): Promise<void>;
}

/** Asks the OS for a port nobody listens on. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const address = probe.address();
  probe.close();
  await once(probe, 'close');
  if (address === null || typeof address === 'string') throw new Error('no TCP port was assigned');
  return address.port;
}

/**
 * Starts `server/main.ts` and resolves once `/__control/health` answers. Without a `port` (or with
 * 0) the server binds a port the OS picks and reports it, so no other process can take the port
 * between choosing and binding it. The process is spawned before this returns its promise, so the
 * caller can load modules while the server boots.
 */
export async function startEmbeddedServer(options: {
  port?: number | undefined;
  readLagMs?: number | undefined;
  /** More flags of `server/main.ts`, e.g. `['--token', 'T']`. */
  flags?: readonly string[];
}): Promise<EmbeddedServer> {
  const args = ['--import', 'tsx', 'server/main.ts', '--port', String(options.port ?? 0)];
  if (options.readLagMs !== undefined) args.push('--read-lag-ms', String(options.readLagMs));
  args.push(...(options.flags ?? []));
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    // Its own process group: a Ctrl-C in the terminal reaches only the demo, which still needs
    // the server to delete what it created before it stops it.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { MOCK_LOG_LEVEL: 'warn', ...process.env },
  });
  let stdout = '';
  let reportedPort: number | undefined;
  let stderr = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    // Only the start-up line matters; the rest is read and dropped so the pipe never fills.
    if (reportedPort !== undefined) return;
    stdout = (stdout + chunk).slice(-4_000);
    reportedPort = boundPort(stdout);
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4_000);
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.on('exit', killOnExit);

  let origin: string;
  try {
    const port =
      options.port === undefined || options.port === 0 ? () => reportedPort : options.port;
    origin = await waitForHealth(child, port, () => stderr);
  } catch (error) {
    await stopChild(child);
    process.off('exit', killOnExit);
    throw error;
  }
  return {
    baseUrl: `${origin}/api/v1`,
    controlUrl: `${origin}/__control`,
    stop: async () => {
      await stopChild(child);
      process.off('exit', killOnExit);
    },
  };
}

/** The port in the server's start-up line (`... listening on http://127.0.0.1:41234/api/v1`). */
function boundPort(stdout: string): number | undefined {
  const port = /listening (?:on|at) https?:\/\/[^\s/]+:(\d+)/.exec(stdout)?.[1];
  return port === undefined ? undefined : Number(port);
}

/** Waits until the server answers its health check; resolves with its origin. */
async function waitForHealth(
  child: ChildProcess,
  port: number | (() => number | undefined),
  stderr: () => string,
): Promise<string> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let exited: number | string | undefined;
  child.once('exit', (code, signal) => {
    exited = code ?? signal ?? 'unknown';
  });
  let url = 'its health check';
  while (Date.now() < deadline) {
    if (exited !== undefined) {
      const detail = lastLine(stderr());
      throw new SetupError(
        `the embedded server exited (${String(exited)}) before it answered${detail === '' ? '' : `: ${detail}`}`,
      );
    }
    const known = typeof port === 'number' ? port : port();
    if (known !== undefined) {
      const origin = `http://127.0.0.1:${known}`;
      url = `${origin}/__control/health`;
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
        if (response.ok) return origin;
      } catch {
        // Not listening yet.
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new SetupError(
    `the embedded server did not answer ${url} within ${START_TIMEOUT_MS / 1000} s`,
  );
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

function lastLine(text: string): string {
  return (
    text
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '')
      .at(-1) ?? ''
  );
}
