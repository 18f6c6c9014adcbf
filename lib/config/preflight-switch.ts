import { ConfigError } from './environment';

/**
 * Whether the global setup probes the selected environments before the suite (`PREFLIGHT`, on
 * unless `off`). Off is for a run that means to meet a refusing server, e.g. a test of how the
 * suite reports a 401 test by test.
 */
export function preflightEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  const raw = (env.PREFLIGHT ?? '').trim().toLowerCase();
  if (raw === '' || raw === 'on') return true;
  if (raw === 'off') return false;
  throw new ConfigError(`PREFLIGHT is ${JSON.stringify(env.PREFLIGHT)}; expected on or off`);
}
