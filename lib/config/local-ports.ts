import { execFileSync } from 'node:child_process';

import { ConfigError } from './environment';
import { badSetting } from './setting-value';

/**
 * Ports for the embedded servers: each preferred port if nothing listens on it, else one the OS
 * picks. Synchronous because Playwright loads its config synchronously; it asks a short-lived
 * `node` to bind, holding every port until all are chosen so no two come back equal.
 */
export function choosePorts(preferred: readonly number[]): number[] {
  const script = `
    const net = require('node:net');
    const wanted = JSON.parse(process.argv[1]);
    const bind = (port) => new Promise((resolve, reject) => {
      const server = net.createServer();
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve(server));
    });
    (async () => {
      const held = [];
      for (const port of wanted) held.push(await bind(port).catch(() => bind(0)));
      process.stdout.write(JSON.stringify(held.map((s) => s.address().port)));
      for (const server of held) server.close();
    })();
  `;
  const out = execFileSync(process.execPath, ['-e', script, JSON.stringify(preferred)], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  return JSON.parse(out) as number[];
}

/**
 * A port the user pinned (`LOCAL_PORT`, `LOCAL_FAULTS_PORT`), or undefined when it is unset or
 * blank. A value that is not a port stops the run with a ConfigError naming the variable itself,
 * not the `LOCAL_BASE_URL` the config builds from it.
 */
export function pinnedPort(
  variable: string,
  env: NodeJS.ProcessEnv = process.env,
): number | undefined {
  const raw = env[variable]?.trim() ?? '';
  if (raw === '') return undefined;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port < 1 || port > 65_535)
    throw new ConfigError(badSetting(variable, env[variable] ?? '', 'a port number 1–65535'));
  return port;
}
