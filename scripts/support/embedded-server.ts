import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';

import { asFlags, FAULTS } from '../../lib/config/local-faults';
import { localBaseUrl } from '../../lib/config/run-settings';
import { startNode } from './child-process';

// Generous: on a busy machine, loading TypeScript and fastify alone can take many seconds.
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 5_000;

/** The embedded server, running as a child process of a script or test. */
export interface EmbeddedServer {
  /** API root, e.g. `http://127.0.0.1:41234/api/v1`. */
  baseUrl: string;
  /** Control API root, e.g. `http://127.0.0.1:41234/__control`. */
  controlUrl: string;
  /** How long its reads lag writes (0: not at all). */
  readLagMs: number;
  stop(): Promise<void>;
}

/** The embedded server did not come up: a problem of the set-up, not of the API. */
export class EmbeddedServerError extends Error {
  override name = 'EmbeddedServerError';
}

/**
 * The embedded server's flags for a SaaS like mockapi.io, as far as it says or is seen to do: it
 * publishes no rate limit, and people who hit its 429s throttle to about one request per 120 ms,
 * so 10 requests a second; answers in 80–200 ms; reads that lag writes by 300 ms.
 */
export const RATE_LIMITED_SAAS = {
  limitRps: 10,
  flags: [
    '--rate-limit-rps',
    '10',
    '--latency-min-ms',
    '80',
    '--latency-max-ms',
    '200',
    '--read-lag-ms',
    '300',
  ],
} as const;

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

/** Servers this process started and has not stopped: killed if it exits first. */
const running = new Set<ChildProcess>();
let exitHooked = false;

/**
 * Kills `child` if this process exits before stopping it. One `exit` listener for them all: a
 * script may run dozens of servers at once (the model check, a server per defect).
 */
function killedOnExit(child: ChildProcess): void {
  if (!exitHooked) process.on('exit', killRunning);
  exitHooked = true;
  running.add(child);
}

function killRunning(): void {
  for (const child of running) child.kill('SIGKILL');
}

/**
 * Starts `server/main.ts` and resolves once it says where it listens. Without a `port` (or with 0)
 * the server binds a port the OS picks and reports it, so no other process can take the port
 * between choosing and binding it. The process is spawned before this returns its promise, so the
 * caller can load modules while the server boots.
 */
export async function startEmbeddedServer(options: {
  port?: number | undefined;
  readLagMs?: number | undefined;
  /** Misbehave as {@link FAULTS} says (its read lag unless `readLagMs` is given). */
  faults?: boolean;
  /** More flags of `server/main.ts`, e.g. `['--token', 'T']`. */
  flags?: readonly string[];
}): Promise<EmbeddedServer> {
  const args = ['server/launch.mjs', '--port', String(options.port ?? 0)];
  if (options.faults === true) args.push(...asFlags(FAULTS));
  if (options.readLagMs !== undefined) args.push('--read-lag-ms', String(options.readLagMs));
  const readLagMs =
    options.readLagMs ?? (options.faults === true ? Number(FAULTS['read-lag-ms']) : 0);
  args.push(...(options.flags ?? []));
  // Its own process group: a Ctrl-C in the terminal reaches only the script, which may still need
  // the server to delete what it created before it stops it.
  const server = startNode(args, {
    env: { MOCK_LOG_LEVEL: 'warn', ...process.env },
    detached: true,
  });
  killedOnExit(server.child);
  const stop = async () => {
    running.delete(server.child);
    if (server.child.exitCode !== null || server.child.signalCode !== null) return;
    server.child.kill('SIGTERM');
    const timer = setTimeout(() => server.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await server.done;
    clearTimeout(timer);
  };

  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`it did not say it was listening within ${START_TIMEOUT_MS / 1000} s`));
    }, START_TIMEOUT_MS);
  });
  try {
    const [, origin = ''] = await Promise.race([
      server.waitForStdout(/listening (?:on|at) (https?:\/\/[^\s/]+)/),
      timeout,
    ]);
    return {
      baseUrl: localBaseUrl(Number(new URL(origin).port)),
      controlUrl: `${origin}/__control`,
      readLagMs,
      stop,
    };
  } catch (error) {
    await stop();
    const reason = error instanceof Error ? lastLine(error.message) : String(error);
    throw new EmbeddedServerError(`the embedded server did not start: ${reason}`);
  } finally {
    clearTimeout(timer);
  }
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
