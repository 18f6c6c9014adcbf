import fs from 'node:fs';

import dotenv from 'dotenv';

import { buildApp } from './app';
import { parseCommandLine } from './cli-options';

/**
 * `.env` (or `DOTENV_CONFIG_PATH`), under the shell's variables: `MOCK_TOKEN=…` there protects the
 * server started by `npx playwright test`, which keeps credentials out of the environment it passes on.
 */
function dotenvFile(): Record<string, string> {
  const file = process.env.DOTENV_CONFIG_PATH ?? '.env';
  return fs.existsSync(file) ? dotenv.parse(fs.readFileSync(file)) : {};
}

/** Starts the server from the command line and stops it cleanly on SIGINT/SIGTERM. */
async function main(): Promise<void> {
  const request = parseCommandLine(process.argv.slice(2), { ...dotenvFile(), ...process.env });
  if (request.kind === 'help') {
    process.stdout.write(`${request.text}\n`);
    return;
  }
  if (request.kind === 'error') {
    process.stderr.write(`mock-server: ${request.message}\n`);
    process.exitCode = 2;
    return;
  }

  const { options } = request;
  const app = buildApp(options);
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      // A second signal means "now": do not wait for open requests.
      process.exit(1);
    }
    stopping = true;
    app.log.info({ signal }, 'shutting down');
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`mock-server: error while shutting down: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  await app.listen({ port: options.port, host: options.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  process.stdout.write(
    `mock server listening on http://${options.host}:${port}${options.prefix}\n`,
  );
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`mock-server: could not start: ${message}\n`);
  process.exit(1);
});
