/**
 * Shows that the embedded server scales: an unfiltered page costs the same
 * with 100 users as with 100,000, and a server holding 100,000 users stays
 * under 200 MB resident.
 *
 * Run: npx tsx scripts/bench-server-scale.ts        (about two minutes)
 *
 * Page cost: two servers run in this process on loopback ports, one holding
 * 100 users and one 100,000. Page requests alternate between them, so any
 * drift (GC, CPU frequency, other load) hits both sizes alike, and their
 * medians are compared.
 *
 * Memory: this process's RSS also holds the benchmark's own client garbage,
 * so it says little about the server. The figure that counts comes from the
 * server started on its own, as `npm run mock-server` runs it, filled with
 * 100,000 real POSTs over HTTP; its RSS is read from /proc.
 */
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { FastifyInstance } from 'fastify';
import { localBaseUrl } from '../lib/config/run-settings';
import { percentile } from '../lib/reporting/api-health';
import { buildApp } from '../server/app';
import { startNode } from './support/child-process';

// --expose-gc at run time, so the heap figure follows a full collection
// without asking the caller for node flags.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

const smallSize = 100;
const largeSize = 100_000;
const pageLimit = 20;
const rounds = 2_000;
const rssBudgetMb = 200;
const flatRatioLimit = 1.5;

const megabytes = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 10) / 10;

function userFields(n: number): Record<string, string> {
  return { name: `user_${n.toString(16).padStart(8, '0')}`, email: `user${n}@example.com` };
}

async function startInProcess(): Promise<{ app: FastifyInstance; baseUrl: string }> {
  const app = buildApp({ logLevel: 'silent' });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (typeof address !== 'object' || address === null) throw new Error('no TCP address');
  return { app, baseUrl: localBaseUrl(address.port) };
}

/** Fills through the real POST route, injected in-process to keep it quick. */
async function fillInProcess(app: FastifyInstance, count: number): Promise<void> {
  const batch = 100;
  for (let created = 0; created < count; created += batch) {
    const size = Math.min(batch, count - created);
    await Promise.all(
      Array.from({ length: size }, async (_, offset) => {
        const response = await app.inject({
          method: 'POST',
          url: '/api/v1/users',
          payload: userFields(created + offset + 1),
        });
        if (response.statusCode !== 201) throw new Error(`fill failed: ${response.statusCode}`);
      }),
    );
  }
}

/** Time of one unfiltered page request over HTTP, in milliseconds. */
async function timePage(baseUrl: string, page: number): Promise<number> {
  const started = performance.now();
  const response = await fetch(`${baseUrl}/users?page=${page}&limit=${pageLimit}`);
  const body = (await response.json()) as unknown[];
  const elapsed = performance.now() - started;
  if (response.status !== 200 || body.length !== pageLimit) {
    throw new Error(`page ${page} answered ${response.status} with ${body.length} items`);
  }
  return elapsed;
}

async function measurePageCost(): Promise<number> {
  const small = await startInProcess();
  const large = await startInProcess();
  collectGarbage();
  const heapBefore = process.memoryUsage().heapUsed;
  await fillInProcess(small.app, smallSize);
  const fillStarted = performance.now();
  await fillInProcess(large.app, largeSize);
  const fillSeconds = (performance.now() - fillStarted) / 1000;
  collectGarbage();
  const heapPerUser = (process.memoryUsage().heapUsed - heapBefore) / (smallSize + largeSize);

  const smallPages = smallSize / pageLimit;
  const largePages = largeSize / pageLimit;
  for (let index = 0; index < 200; index += 1) {
    await timePage(small.baseUrl, 1 + (index % smallPages));
    await timePage(large.baseUrl, 1 + (index % largePages));
  }
  const smallTimes: number[] = [];
  const largeTimes: number[] = [];
  for (let index = 0; index < rounds; index += 1) {
    // Pages spread over the whole collection, so late pages are measured too.
    smallTimes.push(await timePage(small.baseUrl, 1 + ((index * 7) % smallPages)));
    largeTimes.push(await timePage(large.baseUrl, 1 + ((index * 7919) % largePages)));
  }
  await small.app.close();
  await large.app.close();

  smallTimes.sort((a, b) => a - b);
  largeTimes.sort((a, b) => a - b);
  const smallMedian = percentile(smallTimes, 50);
  const largeMedian = percentile(largeTimes, 50);
  console.log(
    `\nUnfiltered page cost (page=N&limit=${pageLimit}, ${rounds} requests per size, interleaved)`,
  );
  console.table([
    {
      users: smallSize,
      'median ms': smallMedian.toFixed(3),
      'p90 ms': percentile(smallTimes, 90).toFixed(3),
    },
    {
      users: largeSize,
      'median ms': largeMedian.toFixed(3),
      'p90 ms': percentile(largeTimes, 90).toFixed(3),
    },
  ]);
  const ratio = largeMedian / smallMedian;
  console.log(`page cost ratio 100k / 100: ${ratio.toFixed(2)}`);
  console.log(
    `in-process fill of ${largeSize} users: ${fillSeconds.toFixed(1)} s; heap per stored user: ${heapPerUser.toFixed(0)} bytes`,
  );
  return ratio;
}

/** RSS in bytes of another process, from /proc (Linux). */
function residentBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (match?.[1] === undefined) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) * 1024;
}

async function measureServerRss(): Promise<number> {
  const server = startNode(['--import', 'tsx', 'server/main.ts', '--port', '0']);
  const { child } = server;
  try {
    const [, listening] = await server.waitForStdout(/listening on http:\/\/127\.0\.0\.1:(\d+)/);
    const port = Number(listening);
    const pid = child.pid;
    if (pid === undefined) throw new Error('server has no pid');
    const idle = residentBytes(pid);

    const agent = new Agent({ keepAlive: true, maxSockets: 32 });
    const post = (n: number): Promise<void> =>
      new Promise((resolve, reject) => {
        const body = JSON.stringify(userFields(n));
        const outgoing = request(
          {
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: '/api/v1/users',
            agent,
            headers: {
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(body),
            },
          },
          (response) => {
            response.resume();
            response.on('end', () => {
              if (response.statusCode === 201) resolve();
              else reject(new Error(`POST answered ${String(response.statusCode)}`));
            });
          },
        );
        outgoing.on('error', reject);
        outgoing.end(body);
      });
    let next = 0;
    let peak = idle;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next < largeSize) {
          next += 1;
          const n = next;
          await post(n);
          if (n % 10_000 === 0) peak = Math.max(peak, residentBytes(pid));
        }
      }),
    );
    agent.destroy();
    const filled = residentBytes(pid);
    peak = Math.max(peak, filled);
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `\nServer process RSS (node --import tsx server/main.ts, filled by ${largeSize} POSTs in ${seconds.toFixed(1)} s)`,
    );
    console.table([
      { when: 'idle, empty', 'RSS MB': megabytes(idle) },
      { when: `holding ${largeSize} users`, 'RSS MB': megabytes(filled) },
      { when: 'peak while filling', 'RSS MB': megabytes(peak) },
    ]);
    return peak;
  } finally {
    child.kill('SIGTERM');
  }
}

async function main(): Promise<void> {
  const ratio = await measurePageCost();
  const peakRss = await measureServerRss();
  const flat = ratio < flatRatioLimit;
  const withinBudget = megabytes(peakRss) < rssBudgetMb;
  console.log(
    `\nverdict: page cost ${flat ? 'flat' : 'GROWS WITH SIZE'} (ratio ${ratio.toFixed(2)}, limit ${flatRatioLimit}); ` +
      `memory ${withinBudget ? 'within' : 'OVER'} budget (peak ${megabytes(peakRss)} MB, budget ${rssBudgetMb} MB)`,
  );
  if (!flat || !withinBudget) process.exitCode = 1;
}

void main();
