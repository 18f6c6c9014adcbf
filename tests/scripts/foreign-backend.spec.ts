import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

import { expect, test } from '@playwright/test';

import {
  type EmbeddedServer,
  freePort,
  startEmbeddedServer,
} from '../../scripts/demo/embedded-server';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..', '..');
const TOKEN = 'foreign-backend-token-5f1c9a';

/**
 * The suite as a team would run it: `--project=qa` against a backend it did not start, which is
 * misbehaving (20% 503s, 10% writes committed then answered 500, 300 ms read lag, up to 50 ms
 * latency) and already holds other people's users. The suite must pass, and afterwards the
 * backend must hold exactly what it held before, other people's users untouched.
 */
test.describe('the suite against a foreign, faulty backend', () => {
  test.describe.configure({ timeout: 360_000 });
  let server: EmbeddedServer;

  test.beforeAll(async () => {
    server = await startEmbeddedServer({
      port: await freePort(),
      readLagMs: 300,
      flags: [
        '--token',
        TOKEN,
        '--seed',
        '7',
        '--fault-503-rate',
        '0.2',
        '--fault-commit-500-rate',
        '0.1',
        '--latency-max-ms',
        '50',
      ],
    });
  });

  test.afterAll(async () => {
    await server.stop();
  });

  test('passes and leaves the backend exactly as it found it', async ({ playwright }) => {
    const api = await playwright.request.newContext({
      baseURL: `${server.baseUrl}/`,
      extraHTTPHeaders: { authorization: `Bearer ${TOKEN}` },
    });
    const control = await playwright.request.newContext({ baseURL: `${server.controlUrl}/` });

    const theirs = await test.step('someone else already has users there', async () => {
      const made: string[] = [];
      for (const name of ['Other Team A', 'Other Team B', 'Other Team C']) {
        // Sent with an Idempotency-Key and re-sent on failure: the server's faults hit us too.
        const key = `seed-${name}`;
        await expect
          .poll(async () =>
            (
              await api.post('users', {
                data: { name, email: `${name.replace(/ /g, '.')}@other.example` },
                headers: { 'idempotency-key': key },
              })
            ).status(),
          )
          .toBe(201);
        made.push(name);
      }
      await expect
        .poll(async () => ((await (await control.get('state')).json()) as { users: number }).users)
        .toBe(3);
      return made;
    });

    await test.step('the suite passes with --project=qa', async () => {
      const result = await run(
        process.execPath,
        [
          require.resolve('@playwright/test/cli'),
          'test',
          '--project=qa',
          '--reporter=dot',
          '--retries=0',
        ],
        {
          cwd: ROOT,
          maxBuffer: 32 * 1024 * 1024,
          env: {
            ...process.env,
            QA_BASE_URL: server.baseUrl,
            QA_API_TOKEN: TOKEN,
            // Loopback tuning: a remote SaaS default would only make this slower.
            QA_TIMEOUT_MS: '2000',
            QA_RETRY_ATTEMPTS: '8',
            QA_RETRY_BASE_DELAY_MS: '25',
            QA_RETRY_MAX_DELAY_MS: '500',
            QA_POLL_TIMEOUT_MS: '8000',
            QA_POLL_INTERVALS_MS: '10,25,50,100',
            PW_OUTPUT_DIR: path.join(ROOT, '.tmp', 'foreign-backend'),
            LOG_LEVEL: 'error',
          },
        },
      ).catch((error: unknown) => {
        const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
        throw new Error(
          `the suite failed against the faulty backend:\n${stdout.slice(-6000)}\n${stderr.slice(-2000)}`,
        );
      });
      expect(result.stdout).toMatch(/\d+ passed/);
      expect(result.stdout).not.toMatch(/\d+ failed/);
    });

    await test.step('the backend holds exactly the users it held before', async () => {
      await expect
        .poll(
          async () => ((await (await control.get('state')).json()) as { users: number }).users,
          {
            message: 'users on the backend after the run',
            timeout: 10_000,
          },
        )
        .toBe(3);
      await expect
        .poll(
          async () => {
            const response = await api.get('users');
            return response.ok()
              ? ((await response.json()) as { name: string }[]).map((u) => u.name).sort()
              : [];
          },
          { timeout: 10_000 },
        )
        .toEqual(theirs);
    });

    await api.dispose();
    await control.dispose();
  });
});
