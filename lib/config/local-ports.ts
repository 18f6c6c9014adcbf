import { execFileSync } from 'node:child_process';

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
