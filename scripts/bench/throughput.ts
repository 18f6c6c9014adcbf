import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';

import autocannon from 'autocannon';

import { type Benchmark, type Figure, type Goal, meets } from './benchmark';
import { seedUsers, startServer } from './harness';
import { spreadOf } from './stats';

const GOAL: Goal = { kind: 'at-least', limit: 0.6 };
const CONNECTIONS = 10;

interface BareServer {
  origin: string;
  stop(): Promise<void>;
}

/** Starts `bare-server.ts` in a child process answering `bodies` (path → body). */
async function startBareServer(bodies: Record<string, string>): Promise<BareServer> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(__dirname, 'bare-server.ts')],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, BENCH_BODIES: JSON.stringify(bodies) },
    },
  );
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      const match = /listening on (\d+)/.exec(chunk.toString());
      if (match?.[1] !== undefined) resolve(Number(match[1]));
    });
    child.once('exit', (code) => {
      reject(new Error(`the bare server exited (${String(code)}) before it listened`));
    });
  });
  return {
    origin: `http://127.0.0.1:${port}`,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Requests per second of one autocannon run; fails on any error or non-2xx answer. */
async function requestsPerSecond(url: string, seconds: number): Promise<number> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: seconds });
  if (result.errors > 0 || result.timeouts > 0 || result.non2xx > 0) {
    throw new Error(
      `${url}: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx answers`,
    );
  }
  return result.requests.average;
}

/**
 * Throughput of the embedded server on one user and on an unfiltered page, against a bare
 * `node:http` server answering the same bytes; both run in child processes, autocannon here,
 * alternating which goes first.
 */
export const throughput: Benchmark = {
  name: 'throughput',
  title: `embedded server req/s ÷ bare node:http with the same body (autocannon, ${CONNECTIONS} connections)`,
  async run({ quick, progress }) {
    const repetitions = quick ? 2 : 3;
    const seconds = quick ? 1 : 3;
    const embedded = await startServer();
    let bare: BareServer | undefined;
    try {
      const ids = await seedUsers(embedded.baseUrl, 100);
      const prefix = new URL(embedded.baseUrl).pathname;
      const endpoints = [
        { name: 'GET /users/:id', path: `${prefix}/users/${ids[49] ?? '1'}` },
        { name: 'GET /users?page=1&limit=10', path: `${prefix}/users?page=1&limit=10` },
      ];
      const origin = new URL(embedded.baseUrl).origin;
      const bodies: Record<string, string> = {};
      for (const endpoint of endpoints) {
        bodies[endpoint.path] = await (await fetch(`${origin}${endpoint.path}`)).text();
      }
      bare = await startBareServer(bodies);
      const bareOrigin = bare.origin;
      // Warm-up: JIT on both servers.
      for (const endpoint of endpoints) {
        await requestsPerSecond(`${origin}${endpoint.path}`, 1);
        await requestsPerSecond(`${bareOrigin}${endpoint.path}`, 1);
      }
      const figures: Figure[] = [];
      for (const endpoint of endpoints) {
        const ratios: number[] = [];
        const embeddedRps: number[] = [];
        const bareRps: number[] = [];
        for (let rep = 0; rep < repetitions; rep += 1) {
          const measure = async (target: string) =>
            requestsPerSecond(`${target}${endpoint.path}`, seconds);
          let ours: number;
          let theirs: number;
          if (rep % 2 === 0) {
            ours = await measure(origin);
            theirs = await measure(bareOrigin);
          } else {
            theirs = await measure(bareOrigin);
            ours = await measure(origin);
          }
          ratios.push(ours / theirs);
          embeddedRps.push(ours);
          bareRps.push(theirs);
          progress(
            `throughput ${endpoint.name} ${rep + 1}/${repetitions}: ${Math.round(ours)} vs ${Math.round(theirs)} req/s, ratio ${(ours / theirs).toFixed(2)}`,
          );
        }
        const ratio = spreadOf(ratios);
        figures.push({
          benchmark: 'throughput',
          figure: `${endpoint.name} ÷ bare node:http (${Buffer.byteLength(bodies[endpoint.path] ?? '')} B body)`,
          ratio,
          goal: GOAL,
          met: meets(GOAL, ratio.median),
          detail: `median ${Math.round(spreadOf(embeddedRps).median)} vs ${Math.round(spreadOf(bareRps).median)} req/s, ${repetitions} × ${seconds} s each`,
        });
      }
      return figures;
    } finally {
      await bare?.stop();
      await embedded.stop();
    }
  },
};
