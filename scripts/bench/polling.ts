import type { EnvironmentConfig } from '../../lib/config/environment';
import { type Benchmark, type Figure, type Goal, meets } from './benchmark';
import { localEnvironment, openUsers, remoteEnvironment, startServer } from './harness';
import { formatMs, spreadOf } from './stats';
import { buildPayloads } from './workload';

const LAGS_MS = [100, 300, 1000, 3000];
/**
 * The issues' allowance: at most 1.25 × the lag, plus 100 ms with the local tuning (issue 7) and
 * 250 ms with the remote defaults, whose read-lag bound is learned (issue 22).
 */
const SLACK = 1.25;

const goalFor = (lagMs: number, slackMs: number): Goal => ({
  kind: 'at-most',
  limit: SLACK + slackMs / lagMs,
  label: `≤ 1.25 + ${slackMs} ms (${(SLACK + slackMs / lagMs).toFixed(2)})`,
});

/** Untimed cycles per client before the timed ones, enough for the read-lag bound to be learned. */
const WARM_UP = 10;

interface Sample {
  visibleMs: number;
  deletedMs: number;
}

/** A tuning of the poll: the local one, and the remote defaults a SaaS environment gets. */
interface Tuning {
  /** Appended to the figure's name; empty for the local tuning, whose rows keep their names. */
  suffix: string;
  environment: (baseUrl: string) => EnvironmentConfig;
  slackMs: number;
}

const TUNINGS: Tuning[] = [
  { suffix: '', environment: (baseUrl) => localEnvironment(baseUrl), slackMs: 100 },
  { suffix: ' (remote defaults)', environment: remoteEnvironment, slackMs: 250 },
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
      // As a suite's first tests teach the bound to the rest: one after another per client (so that
      // the lags learned are the server's, not this machine's load), every remote client at once.
      // The local tuning has no read-lag bound to learn.
      const warmUps = buildPayloads(probes * WARM_UP, 8);
      await Promise.all(
        clients.flatMap((perLag, tuning) =>
          TUNINGS[tuning]?.suffix === ''
            ? []
            : perLag.map(async ({ users }, lag) => {
                for (let n = 0; n < WARM_UP; n += 1) {
                  const payload = warmUps[(tuning * LAGS_MS.length + lag) * WARM_UP + n];
                  if (payload === undefined) throw new Error('missing payload');
                  const created = await users.create(payload.user);
                  await users.waitUntilVisible(created.id);
                  await users.delete(created.id);
                }
              }),
        ),
      );
      progress(`polling: warmed up, ${WARM_UP} cycles per lag and tuning`);
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
      const bounds = await Promise.all(
        clients.map((perLag) => Promise.all(perLag.map(({ users }) => users.readLagBound()))),
      );
      return TUNINGS.flatMap((tuning, t) => {
        const environment = tuning.environment(servers[0]?.baseUrl ?? 'http://127.0.0.1');
        const { intervalsMs, timeoutMs } = environment.consistency;
        const remoteNotes = tuning.suffix === '' ? '' : `, timeout ${formatMs(timeoutMs)}, unpaced`;
        return LAGS_MS.flatMap((lag, index): Figure[] => {
          const taken = samples[t]?.[index] ?? [];
          const goal = goalFor(lag, tuning.slackMs);
          const bound = bounds[t]?.[index];
          const learned =
            tuning.suffix === '' || bound === undefined
              ? ''
              : `, read-lag bound ${formatMs(bound)}`;
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
                remoteNotes +
                learned,
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
