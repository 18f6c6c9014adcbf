import { type DemoOptions, parseCommandLine } from './demo/cli-options';
import {
  asSetupError,
  embeddedTarget,
  environmentTarget,
  EXIT,
  requireWrites,
  runCommand,
  type Target,
} from './support/cli';
import { type EmbeddedServer, startEmbeddedServer } from './support/embedded-server';

/** `npm run demo`: the users CRUD scenario as a command. */
async function demo(options: DemoOptions, fail: (message: string) => void): Promise<number> {
  const started = performance.now();
  // Ctrl-C (or SIGTERM) asks the run to stop and clean up; a second one exits at once. Both exit
  // with 130, as shells expect of an interrupted command.
  const stop = new AbortController();
  const interruption = { signal: stop.signal, lastWords: 'interrupted again: exiting at once' };
  const onSignal = () => {
    if (stop.signal.aborted) {
      fail(interruption.lastWords);
      process.exit(EXIT.interrupted);
    }
    stop.abort();
  };
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  let server: EmbeddedServer | undefined;
  let target: Target | undefined;
  try {
    // No port: the server binds one the OS picks, so nothing can take it first.
    const { environment, faults } = options;
    const starting = environment === undefined ? startEmbeddedServer({ faults }) : undefined;
    starting?.catch(() => undefined);
    if (environment !== undefined) {
      target = environmentTarget(environment);
      requireWrites(target, 'the demo creates and deletes users');
    }
    // Playwright and faker take seconds to load: the embedded server boots meanwhile.
    const { runDemo } = await import('./demo/run.js');
    server = await starting;
    // Lookups after an ambiguous create wait out the server's read lag before they count.
    if (server !== undefined) target = embeddedTarget(server.baseUrl, server.readLagMs);
    if (target === undefined) throw new Error('no target: neither --env nor the embedded server');
    if (stop.signal.aborted) return EXIT.interrupted;
    return await runDemo(target, options, interruption, started);
  } catch (error) {
    throw asSetupError(error, target) ?? error;
  } finally {
    await server?.stop();
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
  }
}

runCommand('demo', parseCommandLine, demo);
