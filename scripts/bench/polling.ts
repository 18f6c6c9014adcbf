import { type Benchmark, type Figure, type Goal, meets } from './benchmark';
import { localEnvironment, openUsers, startServer } from './harness';
import { formatMs, spreadOf } from './stats';
import { buildPayloads } from './workload';

const LAGS_MS = [100, 300, 1000, 3000];
/** The issue's allowance: at most 1.25 × the lag, plus 100 ms. */
const SLACK = 1.25;
const SLACK_MS = 100;

const goalFor = (lagMs: number): Goal => ({
  kind: 'at-most',
  limit: SLACK + SLACK_MS / lagMs,
  label: `≤ 1.25 + 100 ms (${(SLACK + SLACK_MS / lagMs).toFixed(2)})`,
});

interface Sample {
  visibleMs: number;
  deletedMs: number;
}

/**
 * For each read lag, the time from a write's acknowledgement until `waitUntilVisible` (after a
 * create) or `waitUntilDeleted` (after a delete) returns, divided by the lag. One server per lag;
 * the lags are measured at the same time, each repetition, so load hits all of them alike.
 */
export const polling: Benchmark = {
  name: 'polling',
  title: 'time until the poll sees a write ÷ the server read lag (local poll intervals)',
  async run({ quick, progress }) {
    const repetitions = quick ? 2 : 5;
    const servers = await Promise.all(
      LAGS_MS.map((lag) => startServer(['--read-lag-ms', String(lag)])),
    );
    const clients = await Promise.all(
      servers.map((server) => openUsers(localEnvironment(server.baseUrl))),
    );
    try {
      const samples = LAGS_MS.map((): Sample[] => []);
      const payloads = buildPayloads(repetitions * LAGS_MS.length, 7);
      for (let rep = 0; rep < repetitions; rep += 1) {
        await Promise.all(
          clients.map(async ({ users }, index) => {
            const payload = payloads[rep * LAGS_MS.length + index];
            if (payload === undefined) throw new Error('missing payload');
            const created = await users.create(payload.user);
            let started = performance.now();
            await users.waitUntilVisible(created.id);
            const visibleMs = performance.now() - started;
            await users.delete(created.id);
            started = performance.now();
            await users.waitUntilDeleted(created.id);
            samples[index]?.push({ visibleMs, deletedMs: performance.now() - started });
          }),
        );
        progress(
          `polling ${rep + 1}/${repetitions}: ` +
            LAGS_MS.map((lag, index) => {
              const last = samples[index]?.at(-1);
              return `${lag} ms → ${last === undefined ? '?' : `${formatMs(last.visibleMs)} / ${formatMs(last.deletedMs)}`}`;
            }).join(', '),
        );
      }
      const { intervalsMs } = localEnvironment(
        servers[0]?.baseUrl ?? 'http://127.0.0.1',
      ).consistency;
      return LAGS_MS.flatMap((lag, index): Figure[] => {
        const taken = samples[index] ?? [];
        const goal = goalFor(lag);
        return (['visible', 'deleted'] as const).map((kind) => {
          const times = taken.map((s) => (kind === 'visible' ? s.visibleMs : s.deletedMs));
          const ratio = spreadOf(times.map((ms) => ms / lag));
          return {
            benchmark: 'polling',
            figure: `${kind === 'visible' ? 'create → waitUntilVisible' : 'delete → waitUntilDeleted'}, lag ${lag} ms`,
            ratio,
            goal,
            met: meets(goal, ratio.median),
            detail: `median ${formatMs(spreadOf(times).median)}; intervals ${intervalsMs.join(',')} then ${intervalsMs.at(-1) ?? '?'}`,
          };
        });
      });
    } finally {
      await Promise.all(clients.map((client) => client.dispose()));
      await Promise.all(servers.map((server) => server.stop()));
    }
  },
};
