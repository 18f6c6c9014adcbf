import fs from 'node:fs';
import { createRequire } from 'node:module';

import {
  PLAYWRIGHT_CLI,
  type RunningChild,
  startNode,
} from '../../../scripts/support/child-process';
import { CHILD_CONFIG, type ChildSuiteOptions, childSuiteEnv } from './child-suite';

/** The part of the `ws` client the driver uses. */
interface Socket {
  on(event: 'open' | 'close', listener: () => void): this;
  on(event: 'message', listener: (data: Buffer) => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
  send(data: string): void;
  close(): void;
}

// Playwright's own bundled `ws`: Node 20 has a global WebSocket only behind a flag, and one test is
// no reason for a dependency. Resolved from `playwright`, whose dependency playwright-core is.
const { ws: WebSocketClient } = createRequire(require.resolve('playwright/package.json'))(
  'playwright-core/lib/utilsBundle',
) as { ws: new (url: string) => Socket };

/** A message from the test server: the answer to a call (`id`) or an event (`method`). */
interface ServerMessage {
  id?: number;
  result?: unknown;
  error?: string;
  method?: string;
  params?: unknown;
}

/**
 * A client of `playwright test-server` over its WebSocket, speaking the protocol of Playwright's
 * `TestServerConnection` (which UI mode and the VS Code extension use): `{ id, method, params }`
 * out; `{ id, result }` or `{ id, error }` back, and events as `{ method, params }`.
 */
class TestServerClient {
  /** Every message the server sent, as the text that crossed the socket. */
  readonly received: string[] = [];
  private lastId = 0;
  private readonly pending = new Map<
    number,
    { resolve: (result: unknown) => void; reject: (error: Error) => void }
  >();

  private constructor(private readonly socket: Socket) {
    socket.on('message', (data) => {
      const text = data.toString('utf8');
      this.received.push(text);
      const message = JSON.parse(text) as ServerMessage;
      const call = message.id === undefined ? undefined : this.pending.get(message.id);
      if (message.id === undefined || call === undefined) return;
      this.pending.delete(message.id);
      if (message.error === undefined) call.resolve(message.result);
      else call.reject(new Error(message.error));
    });
    socket.on('close', () => {
      for (const call of this.pending.values())
        call.reject(new Error('the test server closed the connection'));
      this.pending.clear();
    });
  }

  static connect(url: string): Promise<TestServerClient> {
    const socket = new WebSocketClient(url);
    return new Promise((resolve, reject) => {
      socket.on('open', () => {
        resolve(new TestServerClient(socket));
      });
      socket.on('error', reject);
    });
  }

  call<T>(method: string, params: object = {}): Promise<T> {
    const id = ++this.lastId;
    this.socket.send(JSON.stringify({ id, method, params }));
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (result: unknown) => void, reject });
    });
  }

  close(): void {
    this.socket.close();
  }
}

export interface TestServerSessionOptions extends Omit<ChildSuiteOptions, 'args'> {
  /** The projects ticked in the sidebar; `local` unless given. */
  projects?: string[];
}

/** What the test server answered and sent in one session, and what its process printed. */
export interface TestServerSession {
  setup: { status: string; env: [string, string | null][] };
  run: { status: string };
  teardown: { status: string; report: unknown[] };
  /** Every message the server sent over the socket, as its text. */
  received: string[];
  /** What the run printed, sent as `stdio` events: the reporters' and the global teardown's output. */
  stdio: string;
  /** The test server's own stdout and stderr (with stdio intercepted, little but its address). */
  output: string;
}

/**
 * One session of the fixture suite under `playwright test-server`, the backend of UI mode and the
 * VS Code extension, driven as the extension drives it: initialize (stdio over the socket), global
 * setup, list, run the ticked projects with traces on, global teardown; then the server is
 * stopped, killed if it does not stop.
 */
export async function runTestServerSession(
  options: TestServerSessionOptions,
): Promise<TestServerSession> {
  fs.rmSync(options.root, { recursive: true, force: true });
  const server = startNode(
    [PLAYWRIGHT_CLI, 'test-server', '-c', CHILD_CONFIG, '--host', '127.0.0.1', '--port', '0'],
    // Its own process group, so that a kill reaches the workers it started too.
    { env: { NO_COLOR: '1', ...(await childSuiteEnv(options)) }, detached: true },
  );
  let client: TestServerClient | undefined;
  try {
    // Port 0: the OS picks a free port as the server binds it, and the server prints its address.
    const [, url] = await server.waitForStdout(/Listening on (ws:\/\/\S+)/);
    client = await TestServerClient.connect(url ?? '');
    await client.call('initialize', { interceptStdio: true, closeOnDisconnect: true });
    const setup = await client.call<TestServerSession['setup']>('runGlobalSetup');
    await client.call('listTests');
    const run = await client.call<TestServerSession['run']>('runTests', {
      projects: options.projects ?? ['local'],
      trace: 'on',
    });
    const teardown = await client.call<TestServerSession['teardown']>('runGlobalTeardown');
    const received = client.received;
    const { output } = await stop(server, client);
    return {
      setup: { status: setup.status, env: setup.env },
      run,
      teardown,
      received,
      stdio: received.map(stdioText).join(''),
      output,
    };
  } finally {
    if (server.child.exitCode === null && server.child.signalCode === null)
      await stop(server, client);
  }
}

/** The text of a `stdio` event (sent as text, or as base64 when written as bytes); '' for any other message. */
function stdioText(message: string): string {
  const { method, params } = JSON.parse(message) as ServerMessage;
  if (method !== 'stdio') return '';
  const { text, buffer } = params as { text?: string; buffer?: string };
  return text ?? Buffer.from(buffer ?? '', 'base64').toString('utf8');
}

/**
 * Ends the session as the extension does: closing the socket ends the server. If it hangs, Ctrl-C
 * (its teardown stops the embedded server, which runs in a process group of its own), then a kill.
 */
async function stop(server: RunningChild, client: TestServerClient | undefined) {
  const ended = (ms: number) =>
    Promise.race([
      server.done.then(() => true),
      new Promise<false>((resolve) => {
        setTimeout(() => {
          resolve(false);
        }, ms).unref();
      }),
    ]);
  client?.close();
  const pid = server.child.pid;
  if (pid !== undefined && !(await ended(15_000))) {
    process.kill(pid, 'SIGINT');
    if (!(await ended(15_000))) process.kill(-pid, 'SIGKILL');
  }
  return server.done;
}
