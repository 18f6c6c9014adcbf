import dotenv from 'dotenv';

import { loadEnvironment } from '../lib/config/environment';
import { useColour } from '../lib/logging/logger';
import { parseCommandLine } from './demo/cli-options';
import { type EmbeddedServer, startEmbeddedServer } from './demo/embedded-server';
import { Interruption } from './demo/interruption';
import { asSetupError, SetupError, type Target } from './demo/setup-error';
import { oneLine } from './demo/step-runner';

const EXIT = { ok: 0, failed: 1, setup: 2 } as const;

/** `npm run demo`: the users CRUD scenario as a command; resolves to the exit code. */
async function main(argv: readonly string[]): Promise<number> {
  // The shell wins over .env: dotenv never overrides a variable that is already set.
  dotenv.config({ quiet: true });
  const command = parseCommandLine(argv);
  if (command.kind === 'help') {
    process.stdout.write(`${command.text}\n`);
    return EXIT.ok;
  }
  if (command.kind === 'error') {
    fail(`${command.message} (see --help)`);
    return EXIT.setup;
  }
  const options = command.options;
  const started = performance.now();
  const interruption = new Interruption(fail);
  let server: EmbeddedServer | undefined;
  let target: Target | undefined;
  try {
    let starting: Promise<EmbeddedServer> | undefined;
    if (options.environment === undefined) {
      // No port: the server binds one the OS picks, so nothing can take it first.
      starting = startEmbeddedServer({ readLagMs: options.readLagMs });
      starting.catch(() => undefined);
    } else {
      const environment = loadEnvironment(options.environment);
      const prefix = options.environment.toUpperCase();
      if (!environment.allowWrites) {
        throw new SetupError(
          `${environment.name} is read-only and the demo creates and deletes users: set ${prefix}_ALLOW_WRITES=true to allow it`,
        );
      }
      target = { environment, variablePrefix: prefix };
    }
    // Playwright and faker take seconds to load: the embedded server boots meanwhile.
    const { runDemo } = await import('./demo/run.js');
    if (starting !== undefined) {
      server = await starting;
      target = {
        environment: loadEnvironment('local', process.env, { baseUrl: server.baseUrl }),
        variablePrefix: undefined,
      };
    }
    if (target === undefined) throw new Error('no target: neither --env nor the embedded server');
    if (interruption.signal.aborted) return Interruption.EXIT_CODE;

    const result = await runDemo({
      target,
      demo: options,
      interruption,
      where: server === undefined ? target.environment.name : 'embedded server',
      started,
    });
    if (result.setupProblem !== undefined) {
      fail(result.setupProblem.message);
      return EXIT.setup;
    }
    if (result.outcome === 'interrupted') return Interruption.EXIT_CODE;
    return result.outcome === 'passed' ? EXIT.ok : EXIT.failed;
  } catch (error) {
    const setup = asSetupError(error, target);
    if (setup !== undefined) {
      fail(setup.message);
      return EXIT.setup;
    }
    fail(`unexpected error: ${oneLine(error)}`);
    return EXIT.failed;
  } finally {
    await server?.stop();
    interruption.dispose();
  }
}

/** The one line a run that could not start (or was cut short) ends with, on stderr. */
function fail(message: string): void {
  const text = `demo: ${message}`;
  process.stderr.write(`${useColour(process.stderr) ? `\u001b[31m${text}\u001b[0m` : text}\n`);
}

main(process.argv.slice(2)).then(
  (code) => {
    // Polls abandoned after Ctrl-C may still hold timers; the exit code is final now.
    process.exit(code);
  },
  (error: unknown) => {
    fail(`unexpected error: ${oneLine(error)}`);
    process.exit(EXIT.failed);
  },
);
