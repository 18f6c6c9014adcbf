import { expect, test } from '@playwright/test';

import { childEnv, ownLines, runNode, startNode } from '../../scripts/support/child-process';
import {
  type EmbeddedServer,
  freePort,
  startEmbeddedServer,
} from '../../scripts/support/embedded-server';

// eslint-disable-next-line no-control-regex -- looking for terminal colour codes is the point
const ANSI = /\u001b\[/;

/**
 * Limits no loopback call or wait of a passing run comes near, however busy the machine: with the
 * defaults (2 s per request, 5 s per wait) a stalled CPU could turn into retries or a failed wait.
 */
const PATIENT = { LOCAL_TIMEOUT_MS: '60000', LOCAL_POLL_TIMEOUT_MS: '60000' };

/** The demo as `npm run demo -- ...` runs it, minus npm, with nothing from the shell or `.env`. */
const DEMO = ['--import', 'tsx', 'scripts/demo.ts'];
const startDemo = (args: string[], env: Record<string, string> = {}) =>
  startNode([...DEMO, ...args], { env: childEnv(env) });
const runDemo = (args: string[], env: Record<string, string> = {}) =>
  runNode([...DEMO, ...args], { env: childEnv(env) });

/** The ids the run printed on its create lines, in order. */
function createdIds(stdout: string, count: number): string[] {
  return [
    ...stdout.matchAll(
      new RegExp(`create\\s+user \\d+/${count}\\s+201\\s+\\d+ ms\\s+id (\\S+)`, 'g'),
    ),
  ].map((match) => match[1] ?? '');
}

test.describe('npm run demo', () => {
  // Each test starts Node, Playwright and often a server in child processes: slow on a busy machine.
  test.describe.configure({ timeout: 180_000 });

  test('--help prints the options and exits 0', async () => {
    const { exitCode, stdout } = await runDemo(['--help']);
    expect(exitCode).toBe(0);
    for (const flag of ['--env', '--users', '--log-level', '--faults', '--help'])
      expect(stdout).toContain(flag);
  });

  test('an unknown flag is one line and exit code 2', async () => {
    const { exitCode, stdout, stderr } = await runDemo(['--colour']);
    expect(exitCode).toBe(2);
    expect(stdout).toBe('');
    expect(ownLines(stderr)).toEqual(['demo: unknown option --colour (see --help)']);
  });

  test('the scenario passes on the embedded server, lists the ids it created, and sums up', async () => {
    const { exitCode, stdout, stderr } = await runDemo(['--users', '3'], PATIENT);

    expect(ownLines(stderr), 'a passing run writes nothing to stderr').toEqual([]);
    expect(exitCode).toBe(0);
    const created = createdIds(stdout, 3);
    expect(created, 'one create line with its id per user').toHaveLength(3);
    expect(new Set(created).size, 'three different users').toBe(3);
    for (const id of created) {
      expect(stdout).toMatch(new RegExp(`read\\s+user ${id}\\s+200`));
      expect(stdout).toMatch(new RegExp(`delete\\s+user ${id}\\s+200`));
      expect(stdout).toMatch(new RegExp(`confirm\\s+user ${id}\\s+404`));
    }
    expect(stdout).toMatch(/rename\s+user \S+\s+200/);
    expect(stdout).toMatch(/POST \/users\s+3\s+201×3\s+0\s/);
    expect(stdout).toMatch(/DELETE \/users\/:id\s+3\s+200×3\s+0\s/);
    expect(stdout).toContain('users: 3 created, none left behind');
    expect(stdout).toMatch(
      /retries: 0 · creates reconciled: 0 · scenario \d+\.\d\d s · total \d+\.\d\d s/,
    );
    expect(stdout).toContain('PASSED');
    expect(stdout, 'not a terminal: plain text').not.toMatch(ANSI);
  });

  test('--faults: the scenario passes through retries, a reconciled create and the read lag, and cleans up', async () => {
    const { exitCode, stdout, stderr } = await runDemo(['--faults', '--users', '3'], PATIENT);

    expect(ownLines(stderr), 'a passing run writes nothing to stderr').toEqual([]);
    expect(exitCode).toBe(0);
    expect(stdout).toContain('scenario on embedded server with faults');
    const created = createdIds(stdout, 3);
    expect(new Set(created).size, 'three different users, none created twice').toBe(3);
    expect(stdout, 'a step that passed only after retries says so').toMatch(
      /^\S+ INFO: \w+\s+user \S+\s+\d{3}\s+\d+ ms\s+.*\(\d+ retr(y|ies)[;)]/m,
    );
    // The server commits the first create and answers 500 (seeded): the user is looked up after
    // the read lag and adopted, not created again.
    expect(stdout).toMatch(
      /create\s+user 1\/3\s+201\s+\d+ ms\s+id \S+ .*reconciled: the failed attempt had created it\)$/m,
    );
    expect(stdout, 'reads lag the writes: the new name shows after some reads').toMatch(
      /verify\s+user \S+\s+200\s+\d+ ms\s+new name visible after \d+ reads/,
    );
    for (const id of created) expect(stdout).toMatch(new RegExp(`confirm\\s+user ${id}\\s+404`));
    // A retried DELETE whose failed attempt had deleted the user answers 404: the line says so.
    const gone = stdout.match(/^.*delete\s+user \S+\s+404\s.*$/gm) ?? [];
    for (const line of gone)
      expect(line).toMatch(/404\s+\d+ ms\s+already gone: counted as deleted \(/);
    test
      .info()
      .annotations.push({ type: 'deletes answered 404', description: String(gone.length) });
    expect(stdout).toMatch(/POST \/users\s+3\s+201×3\s/);
    expect(stdout).toContain('users: 3 created, none left behind');
    expect(stdout).toMatch(/retries: [1-9]\d* · creates reconciled: [1-9]\d* · /);
    expect(stdout).toContain('PASSED');
  });

  test('a failing step ends the run with exit code 1, after deleting what it created', async () => {
    const { exitCode, stdout } = await runDemo(['--users', '2'], {
      ...PATIENT,
      // The embedded server answers 200 to the rename but keeps the old name, so the wait for the
      // new name fails whatever its limit; 10 s is far beyond any read on loopback.
      MOCK_DEFECT: 'update-not-persisted',
      LOCAL_POLL_TIMEOUT_MS: '10000',
    });
    expect(exitCode).toBe(1);
    expect(stdout).toMatch(
      /ERROR: verify\s+user \S+\s+200\s+\d+ ms\s+failed: user \S+ .*\(renamed\)/,
    );
    const created = createdIds(stdout, 2);
    expect(created).toHaveLength(2);
    for (const id of created)
      expect(stdout).toMatch(
        new RegExp(`cleanup\\s+user ${id}\\s+404\\s+\\d+ ms\\s+deleted, answers 404`),
      );
    expect(stdout).toContain('1 failed · users: 2 created, none left behind');
    expect(stdout).toContain('FAILED');
  });

  test('NO_COLOR=1 prints no colour codes even when colour is forced', async () => {
    const { exitCode, stdout, stderr } = await runDemo(['--users', '1'], {
      ...PATIENT,
      NO_COLOR: '1',
      FORCE_COLOR: '1',
    });
    expect(exitCode).toBe(0);
    expect(stdout).toContain('PASSED');
    expect(stdout + stderr).not.toMatch(ANSI);
  });

  test('FORCE_COLOR=1 colours the lines and the verdict', async () => {
    const { exitCode, stdout } = await runDemo(['--users', '1'], { ...PATIENT, FORCE_COLOR: '1' });
    expect(exitCode).toBe(0);
    expect(stdout).toMatch(ANSI);
  });

  test('an unreachable URL is one line naming the variable, exit code 2', async () => {
    // A port the OS just handed out and nobody listens on: connections to it are refused.
    const baseUrl = `http://127.0.0.1:${await freePort()}/api/v1`;
    const { exitCode, stdout, stderr } = await runDemo(['--env', 'qa'], {
      QA_BASE_URL: baseUrl,
      QA_RETRY_BASE_DELAY_MS: '10',
      QA_RETRY_MAX_DELAY_MS: '10',
    });
    expect(exitCode).toBe(2);
    expect(stdout).toBe('');
    expect(ownLines(stderr)).toEqual([
      `demo: qa: ${baseUrl} is unreachable (connection refused): check QA_BASE_URL and that the API is up`,
    ]);
  });

  test('a missing configuration is one line naming the variable, exit code 2', async () => {
    const { exitCode, stdout, stderr } = await runDemo(['--env', 'staging'], {
      STAGING_BASE_URL: '',
    });
    expect(exitCode).toBe(2);
    expect(stdout).toBe('');
    const [line, ...more] = ownLines(stderr);
    expect(line).toContain('STAGING_BASE_URL is not set');
    expect(more, 'nothing after the one line').toEqual([]);
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
      server = await startEmbeddedServer({ flags: ['--token', 'right-token-5f1c9a'] });
      const wrong = 'wrong-token-8d2e47';
      const { exitCode, stdout, stderr } = await runDemo(['--env', 'qa'], {
        QA_BASE_URL: server.baseUrl,
        QA_API_TOKEN: wrong,
      });
      expect(exitCode).toBe(2);
      expect(stdout).toBe('');
      expect(ownLines(stderr)).toEqual([
        `demo: qa: ${server.baseUrl} answered 401: check QA_API_TOKEN`,
      ]);
      expect(stdout + stderr).not.toContain(wrong);
      expect(await usersOnServer(), 'nothing was created').toBe(0);
    });

    test('Ctrl-C mid-run deletes what the run created and exits 130', async () => {
      // Reads lag by an hour and the run waits as long to see its users, so it is certainly still
      // waiting when interrupted, however slow the machine. Until the lag has passed, reads answer
      // 404, so the clean-up confirms each deletion at once.
      const hour = '3600000';
      server = await startEmbeddedServer({ readLagMs: Number(hour) });
      const run = startDemo(['--env', 'qa', '--users', '3'], {
        QA_BASE_URL: server.baseUrl,
        QA_TIMEOUT_MS: '60000',
        QA_POLL_TIMEOUT_MS: hour,
      });
      await run.waitForStdout(/create\s+user 3\/3\s+201/);
      expect(await usersOnServer()).toBe(3);

      run.child.kill('SIGINT');
      const { exitCode, stdout } = await run.done;

      expect(exitCode).toBe(130);
      expect(stdout).toContain('interrupted: deleting the 3 user(s) this run created');
      const created = createdIds(stdout, 3);
      expect(created).toHaveLength(3);
      for (const id of created)
        expect(stdout).toMatch(new RegExp(`cleanup\\s+user ${id}\\s+\\d{3}\\s+\\d+ ms\\s+deleted`));
      expect(stdout).toContain('INTERRUPTED');
      expect(await usersOnServer(), 'the server holds none of the demo users').toBe(0);
    });
  });
});
