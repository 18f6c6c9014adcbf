import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';

import { expect, test } from '@playwright/test';

import {
  type EmbeddedServer,
  freePort,
  startEmbeddedServer,
} from '../../scripts/demo/embedded-server';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
// eslint-disable-next-line no-control-regex -- looking for terminal colour codes is the point
const ANSI = /\u001b\[/;

interface Run {
  child: ChildProcess;
  /** Resolves when the command has exited. */
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
  stdout: () => string;
}

/**
 * A clean environment for the command: nothing from the shell that would point it elsewhere,
 * colour it or change its level, so each test states exactly what it sets.
 */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(LOCAL|STAGING|QA|PRODUCTION|MOCK)_|^(NO_COLOR|FORCE_COLOR|LOG_LEVEL|CI)$/.test(key))
      continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

/** Starts the demo as a child process, exactly as a person would (`npm run demo -- ...` minus npm). */
function startDemo(args: string[], env: Record<string, string> = {}): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/demo.ts', ...args], {
    cwd: REPO_ROOT,
    env: cleanEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const done = once(child, 'exit').then(([code]) => ({
    code: code as number | null,
    stdout,
    stderr,
  }));
  return { child, done, stdout: () => stdout };
}

const runDemo = (args: string[], env: Record<string, string> = {}) => startDemo(args, env).done;

function lines(text: string): string[] {
  return text.split('\n').filter((line) => line.trim() !== '');
}

test.describe('npm run demo', () => {
  // Each test starts Node, Playwright and often a server in child processes: slow on a busy machine.
  test.describe.configure({ timeout: 120_000 });

  test('--help prints the options and exits 0', async () => {
    const { code, stdout } = await runDemo(['--help']);
    expect(code).toBe(0);
    for (const flag of ['--env', '--users', '--log-level', '--read-lag-ms', '--help'])
      expect(stdout).toContain(flag);
  });

  test('an unknown flag is one line and exit code 2', async () => {
    const { code, stdout, stderr } = await runDemo(['--colour']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(lines(stderr)).toEqual(['demo: unknown option --colour (see --help)']);
  });

  test('the scenario passes on the embedded server, lists the ids it created, and sums up', async () => {
    const child = spawn('npm', ['run', '--silent', 'demo', '--', '--users', '3'], {
      cwd: REPO_ROOT,
      env: cleanEnv({}),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const [code] = (await once(child, 'exit')) as [number | null];

    expect(stderr, 'a passing run writes nothing to stderr').toBe('');
    expect(code).toBe(0);
    const created = [...stdout.matchAll(/create\s+user \d+\/3\s+201\s+\d+ ms\s+id (\S+)/g)].map(
      (match) => match[1],
    );
    expect(created, 'one create line with its id per user').toHaveLength(3);
    for (const id of created) {
      expect(stdout).toMatch(new RegExp(`read\\s+user ${id}\\s+200`));
      expect(stdout).toMatch(new RegExp(`delete\\s+user ${id}\\s+200`));
      expect(stdout).toMatch(new RegExp(`confirm\\s+user ${id}\\s+404`));
    }
    expect(stdout).toMatch(/rename\s+user \S+\s+200/);
    expect(stdout).toMatch(/POST users\s+3\s+0\s/);
    expect(stdout).toMatch(/DELETE users\/:id\s+3\s+0\s/);
    expect(stdout).toContain('users: 3 created, none left behind');
    expect(stdout).toMatch(/retries: 0 · scenario \d+\.\d\d s · total \d+\.\d\d s/);
    expect(stdout).toContain('PASSED');
    expect(stdout, 'not a terminal: plain text').not.toMatch(ANSI);
  });

  test('a failing step ends the run with exit code 1, after deleting what it created', async () => {
    const { code, stdout } = await runDemo(['--users', '2'], {
      // The embedded server answers 200 to the rename but keeps the old name.
      MOCK_DEFECT: 'update-not-persisted',
      LOCAL_POLL_TIMEOUT_MS: '500',
    });
    expect(code).toBe(1);
    expect(stdout).toMatch(
      /ERROR: verify\s+user \S+\s+200\s+\d+ ms\s+failed: user \S+ to become visible: gave up after 500 ms; expected "name": ".* \(renamed\)"/,
    );
    expect(stdout.match(/cleanup\s+user \S+\s+404\s+\d+ ms\s+deleted, answers 404/g)).toHaveLength(
      2,
    );
    expect(stdout).toContain('1 failed · users: 2 created, none left behind');
    expect(stdout).toContain('FAILED');
  });

  test('NO_COLOR=1 prints no colour codes even when colour is forced', async () => {
    const { code, stdout, stderr } = await runDemo(['--users', '1'], {
      NO_COLOR: '1',
      FORCE_COLOR: '1',
    });
    expect(code).toBe(0);
    expect(stdout).toContain('PASSED');
    expect(stdout + stderr).not.toMatch(ANSI);
  });

  test('FORCE_COLOR=1 colours the lines and the verdict', async () => {
    const { code, stdout } = await runDemo(['--users', '1'], { FORCE_COLOR: '1' });
    expect(code).toBe(0);
    expect(stdout).toMatch(ANSI);
  });

  test('an unreachable URL is one line naming the variable, exit code 2', async () => {
    const { code, stdout, stderr } = await runDemo(['--env', 'qa'], {
      QA_BASE_URL: 'http://127.0.0.1:9/api/v1',
      QA_RETRY_BASE_DELAY_MS: '10',
    });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(lines(stderr)).toEqual([
      'demo: qa: http://127.0.0.1:9/api/v1 is unreachable (connection refused): check QA_BASE_URL and that the API is up',
    ]);
  });

  test('a missing configuration is one line naming the variable, exit code 2', async () => {
    const { code, stdout, stderr } = await runDemo(['--env', 'staging'], {
      STAGING_BASE_URL: '',
    });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(lines(stderr)).toHaveLength(1);
    expect(stderr).toContain('STAGING_BASE_URL is not set');
  });

  test.describe('on a server of its own', () => {
    let server: EmbeddedServer | undefined;

    test.afterEach(async () => {
      await server?.stop();
      server = undefined;
    });

    async function usersOnServer(): Promise<number> {
      const response = await fetch(`${server?.controlUrl ?? ''}/state`);
      const state = (await response.json()) as { users: number };
      return state.users;
    }

    test('a wrong token is one line naming QA_API_TOKEN, never its value; exit code 2', async () => {
      server = await startEmbeddedServer({
        port: await freePort(),
        flags: ['--token', 'right-token-5f1c9a'],
      });
      const wrong = 'wrong-token-8d2e47';
      const { code, stdout, stderr } = await runDemo(['--env', 'qa'], {
        QA_BASE_URL: server.baseUrl,
        QA_API_TOKEN: wrong,
      });
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(lines(stderr)).toEqual([
        `demo: qa: ${server.baseUrl} answered 401: check QA_API_TOKEN`,
      ]);
      expect(stdout + stderr).not.toContain(wrong);
      expect(await usersOnServer(), 'nothing was created').toBe(0);
    });

    test('Ctrl-C mid-run deletes what the run created and exits 130', async () => {
      // Reads lag so long that the run is certainly still waiting to see its users when interrupted.
      server = await startEmbeddedServer({ port: await freePort(), readLagMs: 20_000 });
      const run = startDemo(['--env', 'qa', '--users', '3'], { QA_BASE_URL: server.baseUrl });
      await expect
        .poll(run.stdout, { message: 'the run created its 3 users', timeout: 30_000 })
        .toMatch(/create\s+user 3\/3\s+201/);
      expect(await usersOnServer()).toBe(3);

      run.child.kill('SIGINT');
      const { code, stdout } = await run.done;

      expect(code).toBe(130);
      expect(stdout).toContain('interrupted: deleting the 3 user(s) this run created');
      expect(stdout.match(/cleanup\s+user \S+\s+\d{3}\s+\d+ ms\s+deleted/g)).toHaveLength(3);
      expect(stdout).toContain('INTERRUPTED');
      expect(await usersOnServer(), 'the server holds none of the demo users').toBe(0);
    });
  });
});
