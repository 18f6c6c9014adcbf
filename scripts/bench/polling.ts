import type { EnvironmentConfig } from '../../lib/config/environment';
import { type Benchmark, type Figure, type Goal, meets } from './benchmark';
import { localEnvironment, openUsers, remoteEnvironment, startServer } from './harness';
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

/** A tuning of the poll: the local one, and the remote defaults a SaaS environment gets. */
interface Tuning {
  /** Appended to the figure's name; empty for the local tuning, whose rows keep their names. */
  suffix: string;
  environment: (baseUrl: string) => EnvironmentConfig;
}

const TUNINGS: Tuning[] = [
  { suffix: '', environment: (baseUrl) => localEnvironment(baseUrl) },
  { suffix: ' (remote defaults)', environment: remoteEnvironment },
];

/**
 * For each read lag, the time from a write's acknowledgement until `waitUntilVisible` (after a
 * create) or `waitUntilDeleted` (after a delete) returns, divided by the lag, with the local tuning
 * and with the remote defaults. One server per lag, shared by both tunings; every lag and tuning is
 * measured at the same time, each repetition, so load hits all of them alike.
 */
export const polling: Benchmark = {
  name: 'polling',
  title: 'time until the poll sees a write ÷ the server read lag (local and remote poll intervals)',
  async run({ quick, progress }) {
    const repetitions = quick ? 2 : 5;
    const servers = await Promise.all(
      LAGS_MS.map((lag) => startServer(['--read-lag-ms', String(lag)])),
    );
    // clients[tuning][lag]
    const clients = await Promise.all(
      TUNINGS.map((tuning) =>
        Promise.all(
          servers.map((server) =>
            // Unpaced: the remote defaults' 8 req/s would hold the first poll for its slot, 125 ms
            // after the write, a wait that a real remote's round trip hides; on loopback it would
            // shift the whole poll schedule and measure that shift, not the intervals.
            openUsers(tuning.environment(server.baseUrl), [], { pacer: undefined }),
          ),
        ),
      ),
    );
    try {
      const samples = TUNINGS.map(() => LAGS_MS.map((): Sample[] => []));
      const probes = TUNINGS.length * LAGS_MS.length;
      const payloads = buildPayloads(repetitions * probes, 7);
      for (let rep = 0; rep < repetitions; rep += 1) {
        await Promise.all(
          clients.flatMap((perLag, tuning) =>
            perLag.map(async ({ users }, lag) => {
              const payload = payloads[rep * probes + tuning * LAGS_MS.length + lag];
              if (payload === undefined) throw new Error('missing payload');
              const created = await users.create(payload.user);
              let started = performance.now();
              await users.waitUntilVisible(created.id);
              const visibleMs = performance.now() - started;
              await users.delete(created.id);
              started = performance.now();
              await users.waitUntilDeleted(created.id);
              samples[tuning]?.[lag]?.push({ visibleMs, deletedMs: performance.now() - started });
            }),
          ),
        );
        progress(
          `polling ${rep + 1}/${repetitions}: ` +
            TUNINGS.map(
              (tuning, t) =>
                `${tuning.suffix === '' ? 'local' : 'remote'} ` +
                LAGS_MS.map((lag, index) => {
                  const last = samples[t]?.[index]?.at(-1);
                  return `${lag} ms → ${last === undefined ? '?' : `${formatMs(last.visibleMs)} / ${formatMs(last.deletedMs)}`}`;
                }).join(', '),
            ).join('; '),
        );
      }
      return TUNINGS.flatMap((tuning, t) => {
        const environment = tuning.environment(servers[0]?.baseUrl ?? 'http://127.0.0.1');
        const { intervalsMs, timeoutMs } = environment.consistency;
        const remoteNotes = tuning.suffix === '' ? '' : `, timeout ${formatMs(timeoutMs)}, unpaced`;
        return LAGS_MS.flatMap((lag, index): Figure[] => {
          const taken = samples[t]?.[index] ?? [];
          const goal = goalFor(lag);
          return (['visible', 'deleted'] as const).map((kind) => {
            const times = taken.map((s) => (kind === 'visible' ? s.visibleMs : s.deletedMs));
            const ratio = spreadOf(times.map((ms) => ms / lag));
            return {
              benchmark: 'polling',
              figure: `${kind === 'visible' ? 'create → waitUntilVisible' : 'delete → waitUntilDeleted'}, lag ${lag} ms${tuning.suffix}`,
              ratio,
              goal,
              met: meets(goal, ratio.median),
              detail:
                `median ${formatMs(spreadOf(times).median)}; intervals ${intervalsMs.join(',')} then ${intervalsMs.at(-1) ?? '?'}` +
                remoteNotes,
            };
          });
        });
      });
    } finally {
      await Promise.all(clients.flat().map((client) => client.dispose()));
      await Promise.all(servers.map((server) => server.stop()));
    }
  },
};
