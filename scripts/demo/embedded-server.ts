import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import path from 'node:path';

import { SetupError } from './setup-error';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const START_TIMEOUT_MS = 30_000;
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
 * Starts `server/main.ts` on `port` and resolves once `/__control/health` answers. The process is
 * spawned before this returns its promise, so the caller can load modules while the server boots.
 */
export async function startEmbeddedServer(options: {
  port: number;
  readLagMs?: number | undefined;
  /** More flags of `server/main.ts`, e.g. `['--token', 'T']`. */
  flags?: readonly string[];
}): Promise<EmbeddedServer> {
  const { port } = options;
  const args = ['--import', 'tsx', 'server/main.ts', '--port', String(port)];
  if (options.readLagMs !== undefined) args.push('--read-lag-ms', String(options.readLagMs));
  args.push(...(options.flags ?? []));
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    // Its own process group: a Ctrl-C in the terminal reaches only the demo, which still needs
    // the server to delete what it created before it stops it.
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { MOCK_LOG_LEVEL: 'warn', ...process.env },
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4_000);
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.on('exit', killOnExit);

  const origin = `http://127.0.0.1:${port}`;
  try {
    await waitForHealth(`${origin}/__control/health`, child, () => stderr);
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

async function waitForHealth(
  url: string,
  child: ChildProcess,
  stderr: () => string,
): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let exited: number | string | undefined;
  child.once('exit', (code, signal) => {
    exited = code ?? signal ?? 'unknown';
  });
  while (Date.now() < deadline) {
    if (exited !== undefined) {
      const detail = lastLine(stderr());
      throw new SetupError(
        `the embedded server exited (${String(exited)}) before it answered${detail === '' ? '' : `: ${detail}`}`,
      );
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      if (response.ok) return;
    } catch {
      // Not listening yet.
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
